// A whole mandat creation in a real browser (Debian's chromium, the pages' CSP enforced): the démarches and the
// duration, the local FranceConnect stand-in's login page, its logout, the recap with the consent and the card
// code, down to the success page with the mandat's workflow started.
import { Mandat } from '../db/models/index.js';
import { workflowIdForMandat } from '../domain/mandat-lifecycle.js';
import { testConfig } from './support/env.js';
import { useBrowserApp } from './support/browser.js';
import { codeOf, createPerson, createStructure, espaceCookie } from './support/espace.js';
import { useWorkerStack } from './support/temporal.js';

const stack = useWorkerStack();
const app = useBrowserApp(stack);

describe('creating a mandat in a browser', () => {
  it('goes through FranceConnect and signs the mandat down to the success page', async () => {
    const structure = await createStructure('CCAS de Navigateur');
    const aidant = await createPerson(structure);
    const cookie = await espaceCookie(stack.sequelize, aidant.user, structure.id);
    const [name, value] = [cookie.slice(0, cookie.indexOf('=')), cookie.slice(cookie.indexOf('=') + 1)];
    const context = await app.browser.newContext();
    await context.addCookies([{ name, value, url: app.baseUrl }]);
    // FranceConnect sends the browser back to the configured public URL: here, the app of this test.
    const publicUrl = testConfig().http.publicUrl;
    const here = (url: string) => `${app.baseUrl}${url.slice(publicUrl.length)}`;
    await context.route(`${publicUrl}/**`, (route) => route.fulfill({ status: 302, headers: { location: here(route.request().url()) } }));
    const page = await context.newPage();

    await page.goto(`${app.baseUrl}/espace-aidant`);
    await page.click('a:has-text("Créer un mandat")');
    await page.waitForURL(/\/espace-aidant\/mandats\/nouveau$/);
    await page.click('button:has-text("Identifier l’usager avec FranceConnect")');
    expect(await page.textContent('#field-demarches-error')).toContain('Vous devez sélectionner au moins une démarche.');
    await page.click('label[for=demarche-social]');
    await page.click('label[for=demarche-argent]');
    await page.click('label[for=duration-SEMESTER]');
    await page.click('button:has-text("Identifier l’usager avec FranceConnect")');

    // The stand-in's login page: pick an identity.
    // The redirect that follows the stand-in's self-posted logout form escapes Playwright's route in Chromium:
    // that navigation is then made again on this app (the logout's return can be read twice).
    const recapUrl = /\/espace-aidant\/mandats\/recapitulatif\?connexion=/;
    const escaped = page.waitForEvent('requestfailed', { predicate: (r) => r.url().startsWith(`${publicUrl}/espace-aidant/franceconnect/deconnexion`), timeout: 20_000 })
      .catch(() => null);
    await page.click('button.identity[value=marie]');
    const failed = await Promise.race([escaped, page.waitForURL(recapUrl).then(() => null, () => escaped)]);
    if (failed) {
      await page.waitForURL(/^chrome-error:/, { timeout: 5000 }).catch(() => undefined); // Chromium's error page first
      await page.goto(here(failed.url()));
    }
    await page.waitForURL(recapUrl);
    const main = await page.textContent('main');
    expect(main).toContain('Marie Thérèse MARTIN');
    expect(main).toContain('Social - Santé');
    expect(main).toContain('Mandat de 6 mois (182 jours)');

    await page.click('button:has-text("Signer le mandat")');
    expect(await page.textContent('#field-consent-error')).toContain('Vous devez confirmer');
    await page.click('label[for=field-consent]');
    await page.fill('#field-code', codeOf(aidant));
    await page.click('button:has-text("Signer le mandat")');
    await page.waitForURL(/\/espace-aidant\/mandats\/[0-9a-f-]{36}\/confirmation$/);
    expect(await page.textContent('h1')).toContain('Le mandat a été créé');
    const mandatId = /mandats\/([0-9a-f-]{36})\//.exec(page.url())![1]!;
    expect(await page.getAttribute('a:has-text("Télécharger l’attestation")', 'href')).toBe(`/espace-aidant/mandats/${mandatId}/attestation`);
    expect((await Mandat.findByPk(mandatId))!.organisationId).toBe(structure.id);
    expect((await stack.client.workflow.getHandle(workflowIdForMandat(mandatId)).describe()).status.name).toBe('RUNNING');

    await page.click('a:has-text("Voir l’usager et ses mandats")');
    await page.waitForURL(/\/espace-aidant\/usagers\/[0-9a-f-]{36}$/);
    expect(await page.textContent('main')).toContain('Révoquer le mandat');
    await context.close();
  });
});
