// The usagers pages of the espace aidant through the real application (in process) and PostgreSQL: the tabs
// active / expired / revoked, the search, « Expire bientôt », a usager's mandats grouped, expired and revoked
// ones for a year only, another structure's usager or a malformed id answering 404, and who may reach them.
import request from 'supertest';
import type { Sequelize } from 'sequelize';
import { createApp } from '../server/app.js';
import { createPerson, createStructure, espaceCookie } from './support/espace.js';
import { testSequelize } from './support/env.js';
import { createUsager, DAY, revokeAutorisations, signMandat } from './support/mandats.js';
import { appWithoutTemporal } from './support/app.js';

let sequelize: Sequelize;
let app: ReturnType<typeof createApp>;
beforeAll(() => {
  sequelize = testSequelize();
  app = appWithoutTemporal(sequelize);
});
afterAll(() => sequelize.close());

const get = (path: string, cookie: string) => request(app).get(path).set('Cookie', cookie);
/** The rows of the page's table, one string each, tags removed. */
const rows = (page: string) => [...page.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].slice(1).map((m) => m[1].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());

/**
 * Structure A, its aidant logged in, and usagers in every state: Ana (active, and an older mandat superseded),
 * Bruno (active, expiring in 21 days), Chloé (expired 69 days ago), Denis (revoked 10 days ago), Émile (expired
 * 400 days ago: no longer shown); Fanny has a mandat of structure B only, Ana one of B too.
 */
async function scene() {
  const [a, b] = [await createStructure(), await createStructure()];
  const { user: aidant } = await createPerson(a);
  const { user: aidantB } = await createPerson(b);
  const now = Date.now();
  const ana = await createUsager({ givenName: 'Ana', familyName: 'Bérard' });
  const oldAna = await signMandat(sequelize, { aidant, organisation: a, usager: ana, demarches: ['papiers'], at: new Date(now - 20 * DAY) });
  const anaMandat = await signMandat(sequelize, { aidant, organisation: a, usager: ana, demarches: ['papiers', 'social'] });
  await signMandat(sequelize, { aidant: aidantB, organisation: b, usager: ana, demarches: ['loisirs'] });
  const bruno = await createUsager({ givenName: 'Bruno', familyName: 'Caron' });
  await signMandat(sequelize, { aidant, organisation: a, usager: bruno, demarches: ['logement'], duration: 'MONTH', at: new Date(now - 10 * DAY) });
  const chloe = await createUsager({ givenName: 'Chloé', familyName: 'Dubois' });
  await signMandat(sequelize, { aidant, organisation: a, usager: chloe, demarches: ['travail'], duration: 'MONTH', at: new Date(now - 100 * DAY) });
  const denis = await createUsager({ givenName: 'Denis', familyName: 'Évrard', birthdate: '1950-00-00' });
  const denisMandat = await signMandat(sequelize, { aidant, organisation: a, usager: denis, demarches: ['famille', 'justice'], at: new Date(now - 50 * DAY) });
  await revokeAutorisations(denisMandat.mandat.id, 'all', new Date(now - 10 * DAY));
  const emile = await createUsager({ givenName: 'Émile', familyName: 'Faure' });
  await signMandat(sequelize, { aidant, organisation: a, usager: emile, demarches: ['social'], duration: 'MONTH', at: new Date(now - 431 * DAY) });
  const fanny = await createUsager({ givenName: 'Fanny', familyName: 'Gautier' });
  await signMandat(sequelize, { aidant: aidantB, organisation: b, usager: fanny, demarches: ['social'] });
  const cookie = await espaceCookie(sequelize, aidant, a.id);
  return { a, b, aidant, cookie, ana, oldAna, anaMandat, bruno, chloe, denis, emile, fanny };
}

describe('espace aidant: the usagers list', () => {
  it('shows the structure’s usagers per tab, with their démarches and « Expire bientôt »; a year only for expired and revoked ones', async () => {
    const s = await scene();
    const active = await get('/espace-aidant/usagers', s.cookie);
    expect(active.status).toBe(200);
    expect(rows(active.text)).toEqual([
      expect.stringMatching(/^Ana Bérard 12\/03\/1948 Papiers, Social \d\d\/\d\d\/\d{4}$/),
      expect.stringMatching(/^Bruno Caron 12\/03\/1948 Logement \d\d\/\d\d\/\d{4} Expire bientôt$/),
    ]);
    expect(active.text).toContain(`href="/espace-aidant/usagers/${s.ana.id}"`);
    expect(active.text).toContain('aria-current="page">Mandats actifs (2)');
    expect(active.text).toContain('Mandats expirés (1)');
    expect(active.text).toContain('Mandats révoqués (1)');
    expect(active.text).not.toContain('Loisirs'); // Ana's mandat with structure B

    const expired = await get('/espace-aidant/usagers?statut=expires', s.cookie);
    expect(rows(expired.text)).toEqual([expect.stringMatching(/^Chloé Dubois 12\/03\/1948 \d\d\/\d\d\/\d{4}$/)]);
    const revoked = await get('/espace-aidant/usagers?statut=revoques', s.cookie);
    const tenDaysAgo = new Date(Date.now() - 10 * DAY).toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris' });
    expect(rows(revoked.text)).toEqual([`Denis Évrard 1950 (date présumée) ${tenDaysAgo}`]);
    for (const page of [active, expired, revoked]) {
      expect(page.text).not.toContain('Faure'); // expired more than a year ago
      expect(page.text).not.toContain('Gautier'); // structure B's usager
    }
    // An unknown tab is the first one, not an error.
    expect(rows((await get('/espace-aidant/usagers?statut=autre', s.cookie)).text)).toHaveLength(2);
    expect(rows((await get('/espace-aidant/usagers?statut[]=x&recherche[]=y', s.cookie)).text)).toHaveLength(2);
  });

  it('searches names in the tab, whatever the accents and the case, and says when nothing matches', async () => {
    const s = await scene();
    expect(rows((await get('/espace-aidant/usagers?recherche=berard', s.cookie)).text)).toEqual([expect.stringMatching(/^Ana Bérard/)]);
    expect(rows((await get('/espace-aidant/usagers?recherche=BRUNO%20car', s.cookie)).text)).toEqual([expect.stringMatching(/^Bruno Caron/)]);
    const chloe = await get('/espace-aidant/usagers?statut=expires&recherche=chloe', s.cookie);
    expect(rows(chloe.text)).toEqual([expect.stringMatching(/^Chloé Dubois/)]);
    expect(chloe.text).toContain('value="chloe"'); // what was typed stays in the field
    const none = await get('/espace-aidant/usagers?recherche=%25', s.cookie);
    expect(rows(none.text)).toEqual([]);
    expect(none.text).toContain('Aucun usager ne correspond à « % » dans cet onglet.');
    expect((await get('/espace-aidant/usagers?recherche=gautier', s.cookie)).text).toContain('Mandats actifs (0)');
  });
});

describe('espace aidant: a usager’s page', () => {
  it('groups the usager’s mandats with this structure, each with its démarches, dates and state', async () => {
    const s = await scene();
    const page = await get(`/espace-aidant/usagers/${s.ana.id}`, s.cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Ana Bérard</h1>');
    expect(page.text).toContain('Mandats actifs (1)');
    expect(page.text).toContain('Mandats expirés (0)');
    expect(page.text).toContain('Mandats révoqués (1)'); // the older one, superseded
    expect(page.text).toContain('Papiers - Citoyenneté - Élections');
    expect(page.text).toContain('Social - Santé');
    expect(page.text).toMatch(/révoquée le \d\d\/\d\d\/\d{4}/);
    expect(page.text).not.toContain('Loisirs'); // structure B's mandat
    expect(page.text).not.toContain('Expire bientôt');
    const bruno = await get(`/espace-aidant/usagers/${s.bruno.id}`, s.cookie);
    expect(bruno.text).toContain('Expire bientôt');
    expect(bruno.text).toContain('Mandat d&#39;un mois (31 jours)');
    const chloe = await get(`/espace-aidant/usagers/${s.chloe.id}`, s.cookie);
    expect(chloe.text).toContain('Mandats expirés (1)');
    expect(chloe.text).toMatch(/Expiré le \d\d\/\d\d\/\d{4} à \d\d:\d\d/);
  });

  it('answers 404 for another structure’s usager, a usager seen over a year ago, an unknown or malformed id', async () => {
    const s = await scene();
    for (const id of [s.fanny.id, s.emile.id, '00000000-0000-4000-8000-000000000000', 'abc', `${s.ana.id}x`, '%E2%80%AE']) {
      const res = await get(`/espace-aidant/usagers/${id}`, s.cookie);
      expect(res.status).toBe(404);
      expect(res.text).toContain('Cet usager est introuvable ou n’a pas de mandat avec votre structure active.');
    }
    // Structure B's aidant sees Ana's mandat with B only.
    const asB = await espaceCookie(sequelize, (await createPerson(s.b)).user, s.b.id);
    const anaForB = await get(`/espace-aidant/usagers/${s.ana.id}`, asB);
    expect(anaForB.status).toBe(200);
    expect(anaForB.text).toContain('Loisirs - Sport - Culture');
    expect(anaForB.text).not.toContain('Social - Santé');
  });
});

describe('espace aidant: who reaches the usagers pages', () => {
  it('links them from the home page; asks a login, a card code after inactivity, and refuses a référent who creates no mandats', async () => {
    const s = await scene();
    const home = await get('/espace-aidant', s.cookie);
    expect(home.text).toContain('<a href="/espace-aidant/usagers">Accéder aux mandats</a>');
    const visitor = await request(app).get('/espace-aidant/usagers');
    expect(visitor.status).toBe(303);
    expect(visitor.headers.location).toBe('/connexion?next=%2Fespace-aidant%2Fusagers');
    const idle = await espaceCookie(sequelize, (await createPerson(s.a)).user, s.a.id, { fresh: false });
    const stale = await get(`/espace-aidant/usagers/${s.ana.id}`, idle);
    expect(stale.status).toBe(303);
    expect(stale.headers.location).toBe(`/reprise-activite?next=${encodeURIComponent(`/espace-aidant/usagers/${s.ana.id}`)}`);
    const referent = await espaceCookie(sequelize, (await createPerson(s.a, { role: 'referent', card: null })).user, s.a.id);
    expect((await get('/espace-aidant/usagers', referent)).status).toBe(403);
    expect((await get(`/espace-aidant/usagers/${s.ana.id}`, referent)).status).toBe(403);
  });
});
