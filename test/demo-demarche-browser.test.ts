// A whole démarche on behalf of a usager in a real browser (Debian's chromium, the pages' CSP enforced), from
// the demo démarche site (infra/demo-demarche-site.ts, FranceConnect's part): its button → the identity
// provider's authorize → the aidant's usager page → the démarche page → back to the site, which shows the
// usager's identity received through token and userinfo; the use journaled, recorded for the usager and told
// in one e-mail by the real worker; the logout through the identity provider; a replayed callback refused.
// Every page checked with axe-core's WCAG 2.1 A/AA rules.
import { QueryTypes } from 'sequelize';
import { DEV_IDP_CLIENT_ID, DEV_IDP_CLIENT_SECRET } from '../config/index.js';
import { JournalEntry } from '../db/models/index.js';
import { workflowIdForUsagerNotification } from '../domain/usager-notification.js';
import { demoDemarcheSiteUris, startDemoDemarcheSite, type DemoDemarcheSite } from '../infra/demo-demarche-site.js';
import { freePort } from '../infra/throwaway-stack.js';
import { axeViolations, useBrowserApp } from './support/browser.js';
import { unique } from './support/env.js';
import { createPerson, createStructure, espaceCookie } from './support/espace.js';
import { mailsTo, waitForSubject } from './support/mail.js';
import { createTestMandat, createUsager } from './support/mandats.js';
import { useWorkerStack } from './support/temporal.js';

const NOTIFICATION_SUBJECT = 'Aidants Connect - Une démarche a été réalisée en votre nom';

const stack = useWorkerStack();
let sitePort = 0;
beforeAll(async () => { sitePort = await freePort(); });
// The identity provider registers the demo site's callbacks (as npm start does in development); its issuer is this app.
const app = useBrowserApp(stack, {
  env: (baseUrl) => {
    const uris = demoDemarcheSiteUris(sitePort);
    return { PUBLIC_URL: baseUrl, IDP_FC_REDIRECT_URI_V2: uris.redirectUri, IDP_FC_POST_LOGOUT_URI_V2: uris.postLogoutRedirectUri };
  },
  usagerNotificationPolicy: { settleMs: 1_000 },
});
let site: DemoDemarcheSite;
beforeAll(async () => {
  site = await startDemoDemarcheSite({ port: sitePort, identityProvider: { issuer: app.baseUrl, clientId: DEV_IDP_CLIENT_ID, clientSecret: DEV_IDP_CLIENT_SECRET } });
  stack.closeFirst.push(() => site.stop());
});

describe('a démarche on behalf of a usager, from the demo site, in a browser', () => {
  it('goes from the site’s button through the usager and démarche pages back to the site with the usager’s identity', async () => {
    const structure = await createStructure('CCAS de Démonstration');
    const aidant = await createPerson(structure);
    const usager = await createUsager({ givenName: 'Odette Marie' });
    await usager.update({ email: `${unique('usager-')}@exemple.test` });
    await createTestMandat(structure, aidant.user, { duration: 'LONG', demarches: ['papiers', 'social'], usager });
    // Another usager of the structure, so that the aidant really chooses.
    await createTestMandat(structure, aidant.user, { duration: 'LONG', demarches: ['social'] });

    const cookie = await espaceCookie(stack.sequelize, aidant.user, structure.id);
    const context = await app.browser.newContext();
    await context.addCookies([{ name: cookie.slice(0, cookie.indexOf('=')), value: cookie.slice(cookie.indexOf('=') + 1), url: app.baseUrl }]);
    const page = await context.newPage();
    const checked: Record<string, string[]> = {};
    const check = async (name: string) => { checked[name] = await axeViolations(page); };

    await page.goto(site.url);
    expect(await page.textContent('h1')).toBe('Démarche de démonstration');
    await check('site : accueil');
    await page.selectOption('#perimetre', 'social');
    await page.click('button:has-text("Se connecter avec Aidants Connect")');

    // The identity provider: the usager, then the démarche.
    await page.waitForURL(new RegExp(`^${app.baseUrl}/espace-aidant/fournisseur-identite/[0-9a-f-]{36}$`));
    await check('fournisseur d’identité : usager');
    await page.click('button:has-text("Continuer")');
    expect(await page.textContent('#usager-error')).toContain('choisissez la personne accompagnée');
    await check('fournisseur d’identité : usager, avec erreur');
    await page.click(`label[for=usager-${usager.id}]`);
    await page.click('button:has-text("Continuer")');
    await page.waitForURL(/\/fournisseur-identite\/[0-9a-f-]{36}\/demarche$/);
    expect(await page.textContent('main')).toContain(`Odette Marie ${usager.familyName}`);
    // rep_scope asked « social »: the only démarche offered.
    const offered = page.locator('input[name=demarche]');
    expect(await offered.count()).toBe(1);
    expect(await offered.getAttribute('value')).toBe('social');
    await check('fournisseur d’identité : démarche');
    await page.click('label[for=demarche-social]');
    await page.click('button:has-text("Valider")');

    // Back to the site: the identity it received.
    await page.waitForURL((url) => url.href.startsWith(`${site.redirectUri}?code=`));
    const identity = await page.textContent('#identite');
    expect(identity).toContain('Odette Marie');
    expect(identity).toContain(usager.familyName);
    expect(identity).toContain('1948-03-12');
    expect(identity).toContain('17300');
    expect(identity).toContain(usager.email);
    const token = await page.textContent('#jeton');
    expect(token).toContain(usager.sub);
    expect(await page.textContent('#demarche')).toBe('Social - Santé (social)');
    await check('site : identité reçue');

    // The use, journaled and recorded for the usager, then told once by the worker.
    const entries = await JournalEntry.findAll({ where: { action: 'use_autorisation', usagerId: usager.id } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: aidant.user.id, organisationId: structure.id, demarches: ['social'] });
    const recorded = await stack.sequelize.query<{ journal_id: string }>('SELECT journal_id FROM usager_notifications WHERE usager_id = $1', { bind: [usager.id], type: QueryTypes.SELECT });
    expect(recorded.map((r) => String(r.journal_id))).toEqual([String(entries[0].id)]);
    expect(await stack.client.workflow.getHandle(workflowIdForUsagerNotification(usager.id)).result()).toBe(1);
    const mail = await waitForSubject(usager.email!, NOTIFICATION_SUBJECT);
    expect(mail!.text).toContain('CCAS de Démonstration, démarche « Social - Santé »');
    expect((await mailsTo(usager.email!)).filter((m) => m.subject === NOTIFICATION_SUBJECT)).toHaveLength(1);

    // Reloading the callback replays a used state: refused, no identity shown.
    const callback = page.url();
    await page.click('a:has-text("Se déconnecter")');
    await page.waitForURL((url) => url.href.startsWith(site.postLogoutRedirectUri));
    expect(await page.textContent('h1')).toBe('Vous êtes déconnecté');
    await check('site : déconnexion');
    await page.goto(callback);
    expect(await page.textContent('main')).toContain('Cette connexion est inconnue, expirée ou a déjà servi');
    expect(await page.locator('#identite').count()).toBe(0);
    await check('site : erreur');
    expect(await JournalEntry.count({ where: { action: 'use_autorisation', usagerId: usager.id } })).toBe(1);

    expect(checked).toEqual(Object.fromEntries(Object.keys(checked).map((name) => [name, []])));
    await context.close();
  });
});
