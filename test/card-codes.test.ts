// Card codes: the tolerance of each card, a code accepted once, failures widening a drifting physical card
// until the next login, and the narrow tolerance of validated cards and applications.
import type { Sequelize } from 'sequelize';
import { Card } from '../db/models/index.js';
import { CARD_POLICY } from '../domain/cards.js';
import { safeNext } from '../server/espace/session.js';
import { createCardCodes } from '../services/card-codes.js';
import { currentCode } from '../services/totp.js';
import { testSequelize } from './support/env.js';
import { codeOf, createPerson, createStockCard, createStructure } from './support/espace.js';
import { testSecrets } from './support/factories.js';

let sequelize: Sequelize;
beforeAll(() => { sequelize = testSequelize(); });
afterAll(async () => { await sequelize.close(); });
const codes = () => createCardCodes({ sequelize, secrets: testSecrets });
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

describe('card codes', () => {
  it('accepts the current code of a validated card once, and refuses a wrong code', async () => {
    const person = await createPerson(await createStructure());
    const code = codeOf(person);
    expect(await codes().checkPersonCode(person.user.id, code === '000000' ? '000001' : '000000')).toBeNull();
    expect((await codes().checkPersonCode(person.user.id, code))?.id).toBe(person.card!.id);
    expect(await codes().checkPersonCode(person.user.id, code)).toBeNull();
    expect(await codes().checkPersonCode(person.user.id, '12345')).toBeNull();
  });

  it('accepts a code one period off on a validated card, not two', async () => {
    const person = await createPerson(await createStructure());
    expect(await codes().checkPersonCode(person.user.id, codeOf(person, minutes(-2.5)))).toBeNull();
    expect(await codes().checkPersonCode(person.user.id, codeOf(person, minutes(-1)))).not.toBeNull();
  });

  it('widens a physical card to 30 steps after three failures, and back to 1 after a login', async () => {
    const person = await createPerson(await createStructure());
    const drifted = codeOf(person, minutes(-20));
    for (let i = 0; i < CARD_POLICY.failuresBeforeDrift - 1; i += 1) await codes().checkPersonCode(person.user.id, 'abcdef');
    expect((await Card.findByPk(person.card!.id))!.tolerance).toBe(1);
    expect(await codes().checkPersonCode(person.user.id, drifted)).toBeNull(); // the third failure
    expect((await Card.findByPk(person.card!.id))!.tolerance).toBe(CARD_POLICY.driftedTolerance);
    expect(await codes().checkPersonCode(person.user.id, codeOf(person, minutes(-19)))).not.toBeNull();
    await codes().resetAfterLogin(person.user.id);
    const card = (await Card.findByPk(person.card!.id))!;
    expect([card.tolerance, card.failedCodes]).toEqual([1, 0]);
    expect(await codes().checkPersonCode(person.user.id, codeOf(person, minutes(-10)))).toBeNull();
  });

  it('keeps an application at one step whatever the failures', async () => {
    const person = await createPerson(await createStructure(), { card: 'digital' });
    for (let i = 0; i < 4; i += 1) await codes().checkPersonCode(person.user.id, '000000');
    expect((await Card.findByPk(person.card!.id))!.tolerance).toBe(1);
  });

  it('checks a stock card with its wide tolerance of 10 steps, once', async () => {
    const { card, seed } = await createStockCard();
    const tenMinutesAgo = currentCode(seed, 60, minutes(-9.5));
    expect(await codes().checkCardCode(card, currentCode(seed, 60, minutes(-12)))).toBe(false);
    expect(await codes().checkCardCode(card, tenMinutesAgo)).toBe(true);
    expect(await codes().checkCardCode(card, tenMinutesAgo)).toBe(false);
  });

  it('finds no code for a person without a validated card', async () => {
    const person = await createPerson(await createStructure(), { card: null });
    expect(await codes().checkPersonCode(person.user.id, '123456')).toBeNull();
  });
});

describe('where a login or an activity check may send back to', () => {
  it('keeps paths of this site and refuses other origins', () => {
    expect(safeNext('/espace-referent/aidants?onglet=actifs')).toBe('/espace-referent/aidants?onglet=actifs');
    for (const unsafe of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'espace-aidant', '/\u0009/evil.example', '', undefined, ['/a']]) {
      expect(safeNext(unsafe)).toBeNull();
    }
  });
});
