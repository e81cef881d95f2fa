// An aidant's login in a real browser (Debian's chromium): the code form (with its errors), the e-mail read from
// the mail sink, the link's page, « Me connecter », the espace aidant (the CGU), the activity check and logout;
// each page checked with axe-core's WCAG 2.1 A/AA rules.
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { JournalEntry } from '../db/models/index.js';
import { createLogger } from '../infra/logger.js';
import { createApp } from '../server/app.js';
import { createLifecycles } from '../services/lifecycles.js';
import { launchChromium } from './support/browser.js';
import { testConfig } from './support/env.js';
import { codeOf, createPerson, createStructure } from './support/espace.js';
import { waitForSubject } from './support/mail.js';
import { useWorkerStack } from './support/temporal.js';

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const stack = useWorkerStack();
let server: Server;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  const lifecycles = createLifecycles(stack.client, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } });
  const app = createApp({ config: testConfig(), sequelize: stack.sequelize, temporal: stack.client, lifecycles, log: createLogger('test', 'error') });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SOURCE });
  const result = await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })`) as
    { violations: { id: string; nodes: { target: string[] }[] }[] };
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

describe('aidant login in a browser', () => {
  it('logs in with a card code and the e-mailed link, accepts the CGU, passes the activity check and logs out; every page accessible', async () => {
    const structure = await createStructure('CCAS de Navigateur');
    const referent = await createPerson(structure, { role: 'referent_aidant' });
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const checked: Record<string, string[]> = {};
    const check = async (name: string) => { checked[name] = await violations(page); };
    const submit = (label: string) => page.click(`button[type=submit]:has-text("${label}")`);

    await page.goto(`${baseUrl}/espace-aidant`);
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
    await page.goto(`${baseUrl}${path}`);
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
    await page.goto(`${baseUrl}/reprise-activite?next=%2Fespace-referent`);
    await check('reprise d’activité');
    await page.fill('#field-otp', codeOf(referent, new Date(Date.now() + 60_000))); // the login used the current code
    await submit('Continuer');
    await page.waitForURL(/\/espace-referent$/);
    expect(await JournalEntry.count({ where: { actorId: referent.user.id, action: 'activity_check_aidant' } })).toBe(1);

    await page.goto(`${baseUrl}${path}`);
    await check('lien déjà utilisé');
    await page.goto(`${baseUrl}/espace-aidant`);
    await submit('Se déconnecter');
    await page.waitForURL(/\/connexion\?deconnexion=1$/);
    expect(await page.textContent('main')).toContain('Vous avez été déconnecté.');
    await check('déconnexion');

    expect(Object.keys(checked)).toHaveLength(10);
    expect(Object.fromEntries(Object.entries(checked).filter(([, found]) => found.length > 0))).toEqual({});
    await context.close();
  });
});
