// Accessibility of the mandat's pages in the espace aidant (RGAA): axe-core's WCAG 2.1 A and AA rules, in a
// real browser logged in as an aidant, on the creation pages (the choice, empty and with errors; the page
// before FranceConnect; the recap after the usager's identification, empty and with errors; the success
// page), the printable draft (French only, with a right-to-left translation, with an unavailable one, and
// without a choice) and the printable attestation.
import request from 'supertest';
import { MandatTranslation } from '../db/models/index.js';
import { MANDAT_TEXT_VERSION } from '../domain/mandat.js';
import { createLogger } from '../infra/logger.js';
import { createApp } from '../server/app.js';
import { createLifecycles } from '../services/lifecycles.js';
import { axeViolations, useBrowserApp } from './support/browser.js';
import { testConfig, unique } from './support/env.js';
import { codeOf, createPerson, createStructure, csrfOf, espaceCookie } from './support/espace.js';
import { standInBrowser } from './support/franceconnect.js';
import { useWorkerStack } from './support/temporal.js';

const stack = useWorkerStack();
const app = useBrowserApp(stack);

/** Through FranceConnect over HTTP, in the aidant's session: answers the recap's address. */
async function identifiedRecap(session: string): Promise<string> {
  const lifecycles = createLifecycles(stack.client, { taskQueue: stack.worker.taskQueue, habilitationPolicy: { comiteReminderDelayMs: 3_600_000 } });
  const server = createApp({ config: testConfig(), sequelize: stack.sequelize, temporal: stack.client, lifecycles, log: createLogger('test', 'error') });
  const first = await request(server).get('/espace-aidant/mandats/nouveau').set('Cookie', session);
  const csrf = csrfOf(first);
  const cookie = `${session}; ${csrf.cookie}`;
  const chosen = await request(server).post('/espace-aidant/mandats/nouveau').set('Cookie', cookie).type('form')
    .send(`_csrf=${encodeURIComponent(csrf.token)}&demarches=social&demarches=argent&duration=LONG`);
  expect(chosen.status).toBe(303);
  const toFc = await request(server).get('/espace-aidant/mandats/nouveau/franceconnect/depart').set('Cookie', cookie);
  const fc = standInBrowser();
  const callback = await fc.login(toFc.headers.location, 'marie');
  const afterCallback = await request(server).get(callback.pathname + callback.search).set('Cookie', cookie);
  const back = await fc.logout(afterCallback.headers.location);
  const landing = await request(server).get(back.pathname + back.search).set('Cookie', cookie);
  expect(landing.headers.location).toMatch(/^\/espace-aidant\/mandats\/recapitulatif\?connexion=/);
  return landing.headers.location;
}

describe('accessibility of the mandat pages', () => {
  it('finds no WCAG 2.1 A/AA violation on the creation pages, the draft, the recap and the attestation', async () => {
    const structure = await createStructure('CCAS d’Accessibilité');
    const aidant = await createPerson(structure);
    const arabic = await MandatTranslation.create({
      languageCode: `qaa-${unique('').slice(0, 8)}`, nameFr: `Arabe ${unique()}`, nameNative: 'العربية', direction: 'rtl',
      body: 'الفقرة الأولى\n\nالفقرة الثانية', textVersion: MANDAT_TEXT_VERSION, isPublished: true,
    });
    const session = await espaceCookie(stack.sequelize, aidant.user, structure.id);
    const [name, ...value] = session.split('=');
    const context = await app.browser.newContext({ bypassCSP: true });
    await context.addCookies([{ name, value: value.join('='), url: app.baseUrl }]);
    // The page before FranceConnect goes on by itself (Refresh): checked as served, without going on.
    await context.route('**/espace-aidant/mandats/nouveau/franceconnect', async (route) => {
      const response = await route.fetch();
      const headers = Object.fromEntries(Object.entries(response.headers()).filter(([header]) => header.toLowerCase() !== 'refresh'));
      await route.fulfill({ response, headers });
    });
    const page = await context.newPage();
    const checked: Record<string, string[]> = {};
    const check = async (label: string) => { checked[label] = await axeViolations(page); };
    const visit = async (label: string, path: string) => { await page.goto(`${app.baseUrl}${path}`); await check(label); };
    const submit = (button: string) => page.click(`button[type=submit]:has-text("${button}")`);

    await visit('projet sans choix', '/espace-aidant/mandats/nouveau/projet');
    await visit('choix', '/espace-aidant/mandats/nouveau');
    await submit('Identifier l’usager avec FranceConnect');
    await check('choix, avec erreurs');
    await page.click('label[for=demarche-social]');
    await page.click('label[for=demarche-argent]');
    await page.click('label[for=duration-SEMESTER]');
    await submit('Imprimer le projet de mandat');
    await page.waitForURL(/\/nouveau\/projet$/);
    expect(await page.textContent('main')).toContain('Projet — non signé');
    await check('projet');
    await page.selectOption('#field-langue', arabic.languageCode);
    await submit('Afficher la traduction');
    await page.waitForURL(/\/nouveau\/projet\?langue=/);
    expect(await page.getAttribute('#traduction', 'dir')).toBe('rtl');
    await check('projet, traduction de droite à gauche');
    await visit('projet, traduction indisponible', '/espace-aidant/mandats/nouveau/projet?langue=zz');
    await visit('avant FranceConnect', '/espace-aidant/mandats/nouveau/franceconnect');
    expect(await page.textContent('h1')).toContain('Identification de l’usager');

    const recap = await identifiedRecap(session);
    await visit('récapitulatif', recap);
    expect(await page.getAttribute('a:has-text("Imprimer le projet de mandat")', 'href')).toBe('/espace-aidant/mandats/nouveau/projet');
    await submit('Signer le mandat');
    await check('récapitulatif, avec erreurs');
    await page.click('label[for=field-consent]');
    await page.fill('#field-code', codeOf(aidant));
    await submit('Signer le mandat');
    await page.waitForURL(/\/confirmation$/);
    await check('mandat créé');
    const mandatId = /mandats\/([0-9a-f-]{36})\//.exec(page.url())![1];
    await visit('attestation', `/espace-aidant/mandats/${mandatId}/attestation`);

    expect(Object.fromEntries(Object.entries(checked).filter(([, found]) => found.length > 0))).toEqual({});
    expect(Object.keys(checked)).toHaveLength(11);
    await context.close();
  });
});
