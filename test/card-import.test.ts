// The card stock's CSV import: the accepted format, a good file imported in one go and journaled, a bad file
// refused as a whole with every faulty line named (nothing inserted), a 10 000-line file with one bad line,
// and two imports of the same cards at once.
import { randomBytes } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { Op } from 'sequelize';
import { Card, JournalEntry } from '../db/models/index.js';
import { parseCardCsv } from '../domain/card-import.js';
import { CARD_POLICY } from '../domain/cards.js';
import { importCards } from '../services/cards.js';
import { testSequelize, unique } from './support/env.js';
import { createStockCard } from './support/espace.js';
import { createStaffMember, testSecrets } from './support/factories.js';

let sequelize: Sequelize;
let actorId: string;
beforeAll(async () => {
  sequelize = testSequelize();
  actorId = (await createStaffMember('anct_staff')).id;
});
afterAll(async () => { await sequelize.close(); });

const seed = () => randomBytes(20).toString('hex');
/** Serials of this test only (parallel files share the database). */
const serials = (count: number) => { const prefix = unique('T').toUpperCase(); return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`); };
const run = (csv: string) => importCards({ sequelize, secrets: testSecrets }, csv, actorId);
const stored = (list: string[]) => Card.findAll({ where: { serialNumber: { [Op.in]: list } }, order: [['serialNumber', 'ASC']] });
const importsBy = (serial: string) => JournalEntry.count({ where: { action: 'import_totp_cards', actorId, details: { firstSerial: serial } } });

describe('the format of the card CSV', () => {
  it('takes an optional header, commas, semicolons or tabs, quotes, spaces, CRLF, a BOM and a final line break', () => {
    const seeds = [seed(), seed().toUpperCase(), seed()];
    const parsed = parseCardCsv(`\uFEFFSerial_Number;SEED\r\n gadt-0001 , ${seeds[0]}\r\n"GADT0002";"${seeds[1]}"\r\nGADT0003\t${seeds[2]}\r\n`);
    expect(parsed.errors).toEqual([]);
    expect(parsed.cards).toEqual([
      { line: 2, serialNumber: 'GADT-0001', seedHex: seeds[0] },
      { line: 3, serialNumber: 'GADT0002', seedHex: seeds[1].toLowerCase() },
      { line: 4, serialNumber: 'GADT0003', seedHex: seeds[2] },
    ]);
    expect(parseCardCsv(`GADT0004,${'ab'.repeat(16)}`).cards).toHaveLength(1); // no header, 32 hex digits
    expect(parseCardCsv(`GADT0004,${'ab'.repeat(64)}`).cards).toHaveLength(1); // 128 hex digits
  });

  it('names every faulty line with its number and a French reason', () => {
    const good = seed();
    const csv = [
      'serial_number,seed',
      `GADT0001,${good}`,
      '',
      `GADT0002,${good},extra`,
      'GADT0003',
      `GA,${good}`,
      `GADT0004,${'ab'.repeat(15)}`,
      `GADT0005,${good.slice(0, 39)}`,
      `GADT0006,${'zz'.repeat(20)}`,
      `GADT0001,${seed()}`,
      `G@DT,xyz`,
      '   ',
      `GADT0007,${good}`,
    ].join('\n');
    const { cards, errors } = parseCardCsv(csv);
    expect(cards.map((card) => card.serialNumber)).toEqual(['GADT0001', 'GADT0007']);
    expect(errors).toEqual([
      { line: 3, message: 'Ligne vide : supprimez-la ou complétez-la.' },
      { line: 4, message: 'Nombre de colonnes incorrect : 2 attendues (numéro de série, graine), 3 trouvées.' },
      { line: 5, message: 'Nombre de colonnes incorrect : 2 attendues (numéro de série, graine), 1 trouvée.' },
      { line: 6, message: 'Numéro de série « GA » mal formé : 4 à 32 lettres, chiffres ou tirets.' },
      { line: 7, message: 'Graine mal formée : 30 caractères hexadécimaux, il en faut un nombre pair entre 32 et 128 (40 pour les cartes habituelles).' },
      { line: 8, message: 'Graine mal formée : 39 caractères hexadécimaux, il en faut un nombre pair entre 32 et 128 (40 pour les cartes habituelles).' },
      { line: 9, message: 'Graine mal formée : seuls les chiffres 0 à 9 et les lettres A à F sont acceptés (hexadécimal).' },
      { line: 10, message: 'Numéro de série GADT0001 en double dans le fichier (déjà ligne 2).' },
      { line: 11, message: 'Numéro de série « G@DT » mal formé : 4 à 32 lettres, chiffres ou tirets ; graine mal formée : seuls les chiffres 0 à 9 et les lettres A à F sont acceptés (hexadécimal).' },
      { line: 12, message: 'Ligne vide : supprimez-la ou complétez-la.' },
    ]);
  });

  it('refuses a file without any card', () => {
    for (const csv of ['', 'serial_number,seed', 'serial_number,seed\n']) {
      expect(parseCardCsv(csv).errors).toEqual([{ line: null, message: 'Le fichier ne contient aucune carte.' }]);
    }
  });
});

describe('importing cards into the stock', () => {
  it('imports a good file in one go: serials upper-cased, seeds sealed, in stock, journaled with the count', async () => {
    const list = serials(3);
    const seeds = [seed(), seed(), seed()];
    const csv = `serial_number,seed\n${list.map((serial, i) => `${serial.toLowerCase()},${seeds[i].toUpperCase()}`).join('\n')}\n`;
    expect(await run(csv)).toEqual({ imported: 3, errors: [] });
    const cards = await stored(list);
    expect(cards.map((card) => [card.serialNumber, testSecrets.open(card.sealedSeed)])).toEqual(list.map((serial, i) => [serial, seeds[i]]));
    for (const card of cards) {
      expect(card).toMatchObject({ kind: 'physical', status: 'in_stock', aidantId: null, periodSeconds: 60, tolerance: CARD_POLICY.unconfirmedTolerance, lastUsedStep: null });
      expect(card.sealedSeed).toMatch(/^v1\./);
    }
    const entry = await JournalEntry.findOne({ where: { action: 'import_totp_cards', actorId, details: { firstSerial: list[0] } } });
    expect(entry?.details).toEqual({ count: 3, firstSerial: list[0], lastSerial: list[2] });
  });

  it('refuses a bad file as a whole, naming each faulty line, a serial already in the stock included, and inserts nothing', async () => {
    const list = serials(4);
    const { card: inStock } = await createStockCard();
    const csv = [
      'serial_number,seed',
      `${list[0]},${seed()}`,
      `${inStock.serialNumber},${seed()}`,
      `${list[1]},${seed()}`,
      `${list[0]},${seed()}`,
      `${list[2]},12345`,
      '',
      `${list[3]};${seed()};x`,
    ].join('\n');
    const result = await run(csv);
    expect(result.imported).toBe(0);
    expect(result.errors).toEqual([
      { line: 3, message: `La carte ${inStock.serialNumber} est déjà dans le stock.` },
      { line: 5, message: `Numéro de série ${list[0]} en double dans le fichier (déjà ligne 2).` },
      { line: 6, message: 'Graine mal formée : 5 caractères hexadécimaux, il en faut un nombre pair entre 32 et 128 (40 pour les cartes habituelles).' },
      { line: 7, message: 'Ligne vide : supprimez-la ou complétez-la.' },
      { line: 8, message: 'Nombre de colonnes incorrect : 2 attendues (numéro de série, graine), 3 trouvées.' },
    ]);
    expect(await stored(list)).toEqual([]);
    expect(await importsBy(list[0])).toBe(0);
  });

  it('refuses a file of 10 000 lines with one bad line, naming that line; imports 10 000 good lines', async () => {
    const list = serials(10_000);
    const lines = list.map((serial) => `${serial},${seed()}`);
    lines[7_530] = `${list[7_530]},${seed().slice(0, 37)}`; // line 7 532 of the file, the header being line 1
    const refused = await run(`serial_number,seed\n${lines.join('\n')}\n`);
    expect(refused.errors).toEqual([
      { line: 7_532, message: 'Graine mal formée : 37 caractères hexadécimaux, il en faut un nombre pair entre 32 et 128 (40 pour les cartes habituelles).' },
    ]);
    expect(await Card.count({ where: { serialNumber: { [Op.in]: list } } })).toBe(0);

    lines[7_530] = `${list[7_530]},${seed()}`;
    expect(await run(`serial_number,seed\n${lines.join('\n')}\n`)).toEqual({ imported: 10_000, errors: [] });
    expect(await Card.count({ where: { serialNumber: { [Op.in]: list }, status: 'in_stock' } })).toBe(10_000);
    expect((await JournalEntry.findOne({ where: { action: 'import_totp_cards', details: { firstSerial: list[0] } } }))?.details).toMatchObject({ count: 10_000 });
  });

  it('refuses a file over the size limit', async () => {
    const result = await run(`${'x'.repeat(2_000_001)}`);
    expect(result.errors).toEqual([{ line: null, message: 'Le fichier dépasse 2 Mo : découpez-le en plusieurs fichiers.' }]);
  });

  it('imports the same cards once when two imports run at once; the other is refused with the lines named', async () => {
    const list = serials(200);
    const csv = list.map((serial) => `${serial},${seed()}`).join('\n');
    const results = await Promise.all([run(csv), run(csv)]);
    const imported = results.filter((result) => result.imported === 200);
    const refused = results.filter((result) => result.errors.length > 0);
    expect([imported.length, refused.length]).toEqual([1, 1]);
    expect(refused[0].errors).toHaveLength(200);
    expect(refused[0].errors[0]).toEqual({ line: 1, message: `La carte ${list[0]} est déjà dans le stock.` });
    expect(await Card.count({ where: { serialNumber: { [Op.in]: list } } })).toBe(200);
    expect(await importsBy(list[0])).toBe(1);
  });
});
