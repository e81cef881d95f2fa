// A whole first login in a real browser: the référent logs in with their application, links a card from the
// stock to a new aidant and validates it with a code read from the card; the aidant then types a code of that
// card, opens the link from the mail sink and lands on the espace aidant, card shown.
import type { BrowserContext, Page } from 'playwright-core';
import { Card, JournalEntry } from '../db/models/index.js';
import { currentCode } from '../services/totp.js';
import { useBrowserApp } from './support/browser.js';
import { codeOf, createPerson, createStockCard, createStructure } from './support/espace.js';
import { waitForSubject } from './support/mail.js';
import { useWorkerStack } from './support/temporal.js';

const stack = useWorkerStack();
const app = useBrowserApp(stack);
const contexts: BrowserContext[] = [];
afterAll(async () => {
  for (const context of contexts) await context.close();
});

const submit = (page: Page, label: string) => page.click(`button[type=submit]:has-text("${label}")`);

/** Logs in through the form and the e-mailed link, as a person does. */
async function logIn(email: string, code: string): Promise<Page> {
  const context = await app.browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${app.baseUrl}/connexion`);
  await page.fill('#field-email', email);
  await page.fill('#field-otp', code);
  await submit(page, 'Recevoir mon lien de connexion');
  await page.waitForURL(/\/connexion\/email-envoye$/);
  const mail = await waitForSubject(email, 'Aidants Connect - Votre lien de connexion');
  const link = /(https?:\/\/\S+\/connexion\/lien\/[A-Za-z0-9_-]{43})/.exec(mail!.text)![1];
  await page.goto(link.replace(/^https?:\/\/[^/]+/, app.baseUrl));
  await submit(page, 'Me connecter');
  return page;
}

describe('a first login in a browser', () => {
  it('lets the référent link and validate a card, then the aidant log in with it and land on the espace aidant', async () => {
    const structure = await createStructure('CCAS du Premier Jour');
    const referent = await createPerson(structure, { role: 'referent', card: 'digital' });
    const aidant = await createPerson(structure, { role: 'aidant', card: null });
    const { card, seed } = await createStockCard();

    const referentPage = await logIn(referent.user.email, codeOf(referent));
    await referentPage.waitForURL(/\/espace-referent$/);
    await referentPage.click(`a[href="/espace-referent/aidants/${aidant.user.id}/carte"]`);
    await referentPage.click('a:has-text("Associer une carte physique")');
    await referentPage.fill('#field-serialNumber', card.serialNumber!.toLowerCase());
    await submit(referentPage, 'Associer la carte');
    await referentPage.waitForURL(/\/carte\/valider$/); // linking leads straight to the validation
    // The card sat in the stock: its clock may be a few minutes off, which an unvalidated card tolerates.
    await referentPage.fill('#field-code', currentCode(seed, 60, new Date(Date.now() - 3 * 60_000)));
    await submit(referentPage, 'Valider la carte');
    // The validation page already shows a success alert (the association's): wait for the next page's.
    await referentPage.waitForSelector('.fr-alert--success:has-text("préparé avec succès")');
    expect(await referentPage.textContent('.fr-alert--success')).toContain(`Le compte de ${aidant.user.firstName} ${aidant.user.lastName} a été préparé avec succès`);
    const validated = (await Card.findByPk(card.id))!;
    expect([validated.aidantId, validated.validatedAt !== null, validated.tolerance]).toEqual([aidant.user.id, true, 1]);

    const aidantPage = await logIn(aidant.user.email, currentCode(seed, 60));
    await aidantPage.waitForURL(/\/espace-aidant$/);
    expect(await aidantPage.textContent('main')).toContain(card.serialNumber!);
    expect(await aidantPage.textContent('header')).toContain(structure.name);
    const actions = (await JournalEntry.findAll({ where: { organisationId: structure.id }, order: [['id', 'ASC']] })).map((e) => `${e.action}:${e.actorId === referent.user.id ? 'référent' : 'aidant'}`);
    expect(actions).toEqual(expect.arrayContaining(['card_association:référent', 'card_validation:référent', 'connect_aidant:aidant']));
  });
});
