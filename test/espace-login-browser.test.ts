// An aidant's login in a real browser (Debian's chromium): the code form (with its errors), the e-mail read from
// the mail sink, the link's page, « Me connecter », the espace aidant (the CGU), the activity check and logout;
// each page checked with axe-core's WCAG 2.1 A/AA rules.
import { JournalEntry } from '../db/models/index.js';
import { axeViolations, useBrowserApp } from './support/browser.js';
import { codeOf, createPerson, createStructure } from './support/espace.js';
import { waitForSubject } from './support/mail.js';
import { useWorkerStack } from './support/temporal.js';

const stack = useWorkerStack();
const app = useBrowserApp(stack);

describe('aidant login in a browser', () => {
  it('logs in with a card code and the e-mailed link, accepts the CGU, passes the activity check and logs out; every page accessible', async () => {
    const structure = await createStructure('CCAS de Navigateur');
    const referent = await createPerson(structure, { role: 'referent_aidant' });
    const context = await app.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const checked: Record<string, string[]> = {};
    const check = async (name: string) => { checked[name] = await axeViolations(page); };
    const submit = (label: string) => page.click(`button[type=submit]:has-text("${label}")`);

    await page.goto(`${app.baseUrl}/espace-aidant`);
    await page.waitForURL(/\/connexion\?next=/);
    await check('connexion');
    await submit('Recevoir mon lien de connexion');
    await check('connexion, avec erreurs');
    await page.fill('#field-email', referent.user.email);
    await page.fill('#field-otp', '000000' === codeOf(referent) ? '111111' : '000000');
    await submit('Recevoir mon lien de connexion');
    expect(await page.textContent('.fr-alert--error')).toContain('Les informations saisies ne permettent pas de vous identifier.');
    await check('connexion refusée');
    expect(await page.inputValue('#field-email')).toBe(referent.user.email);
    await page.fill('#field-otp', codeOf(referent));
    await submit('Recevoir mon lien de connexion');
    await page.waitForURL(/\/connexion\/email-envoye$/);
    await check('e-mail envoyé');

    const mail = await waitForSubject(referent.user.email, 'Aidants Connect - Votre lien de connexion');
    const path = /https?:\/\/[^/\s]+(\/connexion\/lien\/[A-Za-z0-9_-]{43})/.exec(mail!.text)![1];
    await page.goto(`${app.baseUrl}${path}`);
    await check('lien de connexion');
    await submit('Me connecter');
    await page.waitForURL(/\/espace-aidant$/);
    await check('espace aidant');
    await submit('Valider');
    await check('espace aidant, CGU avec erreur');
    await page.click('label[for=field-acceptCgu]');
    await submit('Valider');
    await page.waitForURL(/\/espace-aidant$/);
    expect(await page.textContent('main')).not.toContain('Nouvelles conditions générales');

    // The activity check (test/espace-login.test.ts shows when the espace référent sends there), then back.
    await page.goto(`${app.baseUrl}/reprise-activite?next=%2Fespace-referent`);
    await check('reprise d’activité');
    await page.fill('#field-otp', codeOf(referent, new Date(Date.now() + 60_000))); // the login used the current code
    await submit('Continuer');
    await page.waitForURL(/\/espace-referent$/);
    expect(await JournalEntry.count({ where: { actorId: referent.user.id, action: 'activity_check_aidant' } })).toBe(1);

    await page.goto(`${app.baseUrl}${path}`);
    await check('lien déjà utilisé');
    await page.goto(`${app.baseUrl}/espace-aidant`);
    await submit('Se déconnecter');
    await page.waitForURL(/\/connexion\?deconnexion=1$/);
    expect(await page.textContent('main')).toContain('Vous avez été déconnecté.');
    await check('déconnexion');

    expect(Object.keys(checked)).toHaveLength(10);
    expect(Object.fromEntries(Object.entries(checked).filter(([, found]) => found.length > 0))).toEqual({});
    await context.close();
  });
});
