// A référent's first login in a real browser (Debian's chromium): from the login page to « Première connexion
// d’un référent ? », the address (with its error), the e-mail read from the mail sink, the link's QR code and a
// wrong then a right code of the application, the espace référent; each page checked with axe-core's WCAG 2.1
// A/AA rules.
import { generateSync } from 'otplib';
import { axeViolations, useBrowserApp } from './support/browser.js';
import { createPerson, createStructure } from './support/espace.js';
import { waitForSubject } from './support/mail.js';
import { useWorkerStack } from './support/temporal.js';

const stack = useWorkerStack();
const app = useBrowserApp(stack);

const appCode = (secret: string, at = new Date()) => generateSync({ secret, period: 30, digits: 6, epoch: Math.floor(at.getTime() / 1000) });

describe('a référent’s first login in a browser', () => {
  it('asks a setup link, adds the application from its QR code page and lands logged in on the espace référent; every page accessible', async () => {
    const structure = await createStructure('CCAS de Première-Connexion');
    const referent = await createPerson(structure, { role: 'referent', card: null });
    const context = await app.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const checked: Record<string, string[]> = {};
    const check = async (name: string) => { checked[name] = await axeViolations(page); };
    const submit = (label: string) => page.click(`button[type=submit]:has-text("${label}")`);

    await page.goto(`${app.baseUrl}/connexion`);
    await page.click('text=Première connexion d’un référent ?');
    await page.waitForURL(/\/connexion\/premiere-connexion$/);
    await check('première connexion');
    await submit('Recevoir mon lien de première connexion');
    await check('première connexion, avec erreurs');
    await page.fill('#field-email', referent.user.email);
    await submit('Recevoir mon lien de première connexion');
    await page.waitForURL(/\/connexion\/premiere-connexion$/);
    expect(await page.textContent('main')).toContain('un e-mail vient de lui être envoyé');
    await check('première connexion, demande envoyée');

    const mail = await waitForSubject(referent.user.email, 'Aidants Connect - Votre première connexion à l’espace référent');
    const path = /https?:\/\/[^/\s]+(\/connexion\/premiere-connexion\/[A-Za-z0-9_-]{43})/.exec(mail!.text)![1];
    await page.goto(`${app.baseUrl}${path}`);
    await check('lien de première connexion');
    const secret = (await page.textContent('code'))!.replace(/\s+/g, '');
    const right = appCode(secret);
    await page.fill('#field-otp', right === '000000' ? '111111' : '000000');
    await submit('Enregistrer l’application et me connecter');
    expect(await page.textContent('#field-otp-error')).toBe('Ce code n’est pas valide.');
    await check('lien de première connexion, code refusé');
    await page.fill('#field-otp', appCode(secret));
    await submit('Enregistrer l’application et me connecter');
    await page.waitForURL(/\/espace-referent$/);
    expect(await page.textContent('main')).toContain('Votre application d’authentification est enregistrée');
    await check('espace référent');

    await page.goto(`${app.baseUrl}${path}`);
    expect(await page.textContent('main')).toContain('Ce lien de première connexion ne fonctionne plus');
    await check('lien de première connexion déjà utilisé');

    expect(Object.keys(checked)).toHaveLength(7);
    expect(Object.fromEntries(Object.entries(checked).filter(([, found]) => found.length > 0))).toEqual({});
    await context.close();
  });
});
