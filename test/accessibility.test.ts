// Accessibility of the public pages (a legal duty of a public service, RGAA): axe-core's WCAG 2.1 A and AA
// rules on every step of the habilitation form, empty and with errors, in a real browser.
import { validStepBodies } from './support/factories.js';
import { confirmationPath } from './support/mail.js';
import { axeViolations, useBrowserApp } from './support/browser.js';
import { useWorkerStack } from './support/temporal.js';

const stack = useWorkerStack();
const app = useBrowserApp(stack);

describe('accessibility of the public pages', () => {
  it('finds no WCAG 2.1 A/AA violation on the form, its steps and their errors', async () => {
    const context = await app.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const bodies = validStepBodies();
    const checked: Record<string, string[]> = {};
    const check = async (name: string) => { checked[name] = await axeViolations(page); };
    const submit = (label: string) => page.click(`button[type=submit]:has-text("${label}")`);

    await page.goto(`${app.baseUrl}/`);
    await check('accueil');
    await page.goto(`${app.baseUrl}/habilitation`);
    await check('demandeur');
    await submit('Recevoir le lien de confirmation');
    await check('demandeur, avec erreurs');
    for (const [field, value] of Object.entries(bodies.issuer)) await page.fill(`#field-${field}`, value);
    await submit('Recevoir le lien de confirmation');
    await page.waitForURL(/\/verification\//);
    await check('consultez votre messagerie');
    await page.goto(`${app.baseUrl}/habilitation/suivre`);
    await check('suivre ma demande');
    await page.goto(`${app.baseUrl}/habilitation/lien/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG`);
    await check('lien invalide ou expiré');
    await page.goto(`${app.baseUrl}/habilitation/espace`);
    await check('espace sans session');

    await page.goto(`${app.baseUrl}${await confirmationPath(bodies.issuer.email)}`);
    await page.waitForURL(/\/habilitation\/espace$/);
    await check('espace demandeur');
    await page.click('text=Commencer une nouvelle demande');
    await check('structure');
    await submit('Enregistrer et continuer');
    await check('structure, avec erreurs');
    for (const field of ['name', 'siret', 'address', 'zipcode', 'city', 'missionDescription'] as const) await page.fill(`#field-${field}`, bodies.structure[field]);
    await page.selectOption('#field-type', 'ccas');
    await submit('Enregistrer et continuer');
    await page.waitForURL(/\/referent$/);
    await check('référent');
    await page.goto(page.url().replace(/referent$/, 'envoi'));
    await page.waitForURL(/\/referent\?manquant=referent$/);
    await check('référent, manquant à l’envoi');
    await page.fill('#field-phone', '05 00 00 00 00');
    await submit('Enregistrer et continuer');
    await check('référent, avec erreurs');
    await page.fill('#field-phone', '06 12 34 56 78');
    await submit('Enregistrer et continuer');
    await page.waitForURL(/\/aidants$/);
    await check('aidants');
    await submit('Enregistrer et continuer');
    await check('aidants, avec erreurs');
    for (const field of ['firstName', 'lastName', 'email', 'profession'] as const) await page.fill(`#field-aidant1_${field}`, bodies.aidants[`aidant1_${field}`]);
    await submit('Enregistrer et continuer');
    await page.waitForURL(/\/envoi$/);
    await check('engagements et envoi');
    await submit('Soumettre ma demande');
    await check('envoi, avec erreurs');
    for (const pledge of ['cgu', 'not_free', 'dpo', 'professionals_only', 'without_elected']) await page.click(`label[for=field-pledge_${pledge}]`);
    await submit('Soumettre ma demande');
    await page.waitForURL(/\/espace\/demandes\/[0-9a-f-]{36}$/);
    await check('suivi de la demande');
    await page.goto(`${app.baseUrl}/habilitation/espace`);
    await submit('Se déconnecter');
    await check('déconnexion');
    await page.goto(`${app.baseUrl}/nulle-part`);
    await check('page introuvable');

    expect(Object.keys(checked)).toHaveLength(20); // every page above was checked
    expect(Object.fromEntries(Object.entries(checked).filter(([, found]) => found.length > 0))).toEqual({});
    await context.close();
  });
});
