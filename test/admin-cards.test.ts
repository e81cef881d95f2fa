// The card stock in the back-office, through the real web process (AdminJS API): « Importer des cartes »
// (a refused file names its lines), the list with each card's state and aidant, « Dissocier la carte » with a
// mandatory reason; only roles that manage cards, checked server-side (a jury member cannot).
import { randomBytes } from 'node:crypto';
import { generateSync } from 'otplib';
import { Op } from 'sequelize';
import { Card, JournalEntry } from '../db/models/index.js';
import { adminAgent } from './support/admin-session.js';
import { useBackOfficeStack } from './support/back-office-stack.js';
import { unique } from './support/env.js';
import { createPerson, createStructure } from './support/espace.js';
import { createStaffMember } from './support/factories.js';
import { DEMO_PASSWORD } from '../services/demo-data.js';

let jury: Awaited<ReturnType<typeof createStaffMember>>;
let staff: typeof jury;
const stack = useBackOfficeStack({
  browser: true,
  prepare: async () => { [jury, staff] = [await createStaffMember('anct_jury'), await createStaffMember('anct_staff')]; },
});

const asStaff = () => adminAgent(stack.web.url, staff.email, staff.totp);
const asJury = () => adminAgent(stack.web.url, jury.email, jury.totp);
const importAs = async (agent: Awaited<ReturnType<typeof asStaff>>, csv: string) =>
  (await agent.post('/admin/api/resources/cards/actions/importCards').field('csv', csv)).body;
const unlinkAs = async (agent: Awaited<ReturnType<typeof asStaff>>, cardId: string, fields: Record<string, string>) => {
  let call = agent.post(`/admin/api/resources/cards/records/${cardId}/unlinkCard`);
  for (const [name, value] of Object.entries(fields)) call = call.field(name, value);
  return (await call).body;
};
const seed = () => randomBytes(20).toString('hex');

describe('the card stock in the back-office', () => {
  it('imports a CSV, lists the cards in stock with their state, and names each faulty line of a refused file', async () => {
    const prefix = unique('A').toUpperCase();
    const agent = await asStaff();
    const done = await importAs(agent, `serial_number,seed\n${prefix}-1,${seed()}\n${prefix}-2,${seed()}\n`);
    expect(done.notice).toEqual({ type: 'success', message: '2 cartes importées dans le stock.' });
    expect(done.redirectUrl).toBe('/admin/resources/cards/actions/list');
    expect(await JournalEntry.count({ where: { action: 'import_totp_cards', actorId: staff.id } })).toBe(1);

    const list = await agent.get(`/admin/api/resources/cards/actions/list?filters.status=in_stock&filters.serialNumber=${prefix}`);
    expect((list.body.records as { params: Record<string, unknown> }[]).map((r) => [r.params.serialNumber, r.params.status]).sort())
      .toEqual([[`${prefix}-1`, 'in_stock'], [`${prefix}-2`, 'in_stock']]);
    expect(JSON.stringify(list.body)).not.toMatch(/sealedSeed|lastUsedStep/);

    const refused = await importAs(agent, `${prefix}-3,${seed()}\n${prefix}-1,${seed()}\n\n${prefix}-4,abc\n`);
    expect(refused.notice).toEqual({ type: 'error', message: 'Le fichier est refusé : 3 lignes sont en erreur. Aucune carte n’a été importée.' });
    expect(refused.importErrors).toEqual([
      `Ligne 2 : La carte ${prefix}-1 est déjà dans le stock.`,
      'Ligne 3 : Ligne vide : supprimez-la ou complétez-la.',
      'Ligne 4 : Graine mal formée : 3 caractères hexadécimaux, il en faut un nombre pair entre 32 et 128 (40 pour les cartes habituelles).',
    ]);
    expect(refused.importErrorCount).toBe(3);
    expect(await Card.count({ where: { serialNumber: `${prefix}-3` } })).toBe(0);
  });

  it('unlinks a card from its aidant with a mandatory reason: back in stock, journaled under the aidant’s structure', async () => {
    const organisation = await createStructure();
    const aidant = await createPerson(organisation);
    const card = aidant.card!;
    const agent = await asStaff();
    const shown = await agent.get(`/admin/api/resources/cards/records/${card.id}/show`);
    expect(shown.body.record.params).toMatchObject({ status: 'validated', aidantId: aidant.user.id });
    expect((shown.body.record.recordActions as { name: string }[]).map((a) => a.name)).toContain('unlinkCard');

    expect((await unlinkAs(agent, card.id, {})).notice).toEqual({ type: 'error', message: 'Choisissez la raison de la dissociation.' });
    expect((await unlinkAs(agent, card.id, { reason: 'autre', other: '' })).notice)
      .toEqual({ type: 'error', message: 'Précisez la raison : ce champ est obligatoire quand la raison indiquée est « Autre ».' });
    expect((await Card.findByPk(card.id))!.aidantId).toBe(aidant.user.id);

    const done = await unlinkAs(agent, card.id, { reason: 'casse' });
    expect(done.notice).toEqual({ type: 'success', message: `La carte ${card.serialNumber} est dissociée de son aidant : elle retourne dans le stock.` });
    expect(done.record.params).toMatchObject({ status: 'unlinked', unlinkReason: 'Casse' });
    expect(await Card.findByPk(card.id)).toMatchObject({ aidantId: null, validatedAt: null, status: 'unlinked', tolerance: 10 });
    expect(await JournalEntry.findOne({ where: { action: 'card_dissociation', actorId: staff.id } })).toMatchObject({
      organisationId: organisation.id, details: { aidantId: aidant.user.id, serialNumber: card.serialNumber, kind: 'physical', reason: 'casse', reasonText: 'Casse' },
    });
    // In stock now: nothing left to unlink.
    const again = await agent.get(`/admin/api/resources/cards/records/${card.id}/show`);
    expect((again.body.record.recordActions as { name: string }[]).map((a) => a.name)).not.toContain('unlinkCard');
    expect((await unlinkAs(agent, card.id, { reason: 'casse' })).notice).toEqual({ type: 'error', message: 'Cette carte n’est associée à aucun aidant.' });
  });

  it('refuses the import and the unlinking to a jury member, server-side', async () => {
    const prefix = unique('J').toUpperCase();
    const agent = await asJury();
    const imported = await importAs(agent, `${prefix}-1,${seed()}\n`);
    expect(imported.notice?.type).toBe('error');
    expect(await Card.count({ where: { serialNumber: { [Op.like]: `${prefix}%` } } })).toBe(0);

    const aidant = await createPerson(await createStructure());
    const unlinked = await unlinkAs(agent, aidant.card!.id, { reason: 'perte' });
    expect(unlinked.notice?.type).toBe('error');
    expect(JSON.stringify(unlinked)).toMatch(/forbidden|droits/i);
    expect((await Card.findByPk(aidant.card!.id))!.aidantId).toBe(aidant.user.id);
    expect((await agent.get('/admin/api/resources/cards/actions/list')).body.notice?.type).toBe('error');
  });

  it('imports from a file chosen in the browser: a refused file lists its faulty lines, a good one lands on the list', async () => {
    const person = await createStaffMember('anct_staff'); // its own login: a code is accepted once
    const page = await stack.browser.newPage();
    page.setDefaultTimeout(90_000);
    try {
      await page.goto(`${stack.web.url}/admin/login`);
      await page.fill('#email', person.email);
      await page.fill('#password', DEMO_PASSWORD);
      await page.fill('#otp', generateSync({ secret: person.totp, period: 30, digits: 6 }));
      await page.click('button[type=submit]');
      await page.waitForURL(`${stack.web.url}/admin`, { waitUntil: 'commit' });
      await page.goto(`${stack.web.url}/admin/resources/cards/actions/importCards`);
      const prefix = unique('B').toUpperCase();
      const file = (text: string) => ({ name: 'cartes.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
      await page.setInputFiles('#field-csv', file(`serial_number,seed\n${prefix}-1,${seed()}\n${prefix}-2,12\n`));
      await page.getByRole('button', { name: 'Importer' }).click();
      await page.getByText('Ligne 3 : Graine mal formée').waitFor();
      expect(await page.getByText('Le fichier est refusé : 1 ligne est en erreur.').count()).toBe(1);
      expect(await Card.count({ where: { serialNumber: { [Op.like]: `${prefix}%` } } })).toBe(0);

      await page.setInputFiles('#field-csv', file(`${prefix}-1,${seed()}\n${prefix}-2,${seed()}\n`));
      await page.getByRole('button', { name: 'Importer' }).click();
      await page.waitForURL(/\/admin\/resources\/cards(\/actions\/list)?$/);
      expect(await Card.count({ where: { serialNumber: { [Op.like]: `${prefix}%` }, status: 'in_stock' } })).toBe(2);
    } finally {
      await page.close();
    }
  }, 240_000);
});
