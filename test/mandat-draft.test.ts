// The printable draft of the mandat before signing, over HTTP (PostgreSQL, no Temporal needed): the choice
// kept and printed with the legal text in force, the structure, the démarches and the duration, blank lines
// for the usager and « Projet — non signé »; the published translations offered (in their language and
// direction, right to left for Arabic), unpublished and outdated ones not; no choice, another structure's
// choice or a choice no longer allowed → a French page, never a 500.
import type { Sequelize } from 'sequelize';
import type { Express } from 'express';
import { MandatTranslation, Organisation, OrganisationMembership } from '../db/models/index.js';
import { currentMandatText } from '../domain/mandat-text.js';
import { MANDAT_TEXT_VERSION } from '../domain/mandat.js';
import { DRAFT_ERRORS } from '../server/espace/mandat-draft-pages.js';
import { createStructure, loggedInAidant } from './support/espace.js';
import { testSequelize, unique } from './support/env.js';
import { appWithoutTemporal } from './support/app.js';

let sequelize: Sequelize;
let app: Express;
beforeAll(() => {
  sequelize = testSequelize();
  app = appWithoutTemporal(sequelize);
});
afterAll(async () => { await sequelize.close(); });

const NEW = '/espace-aidant/mandats/nouveau';
const DRAFT = '/espace-aidant/mandats/nouveau/projet';

/** A logged-in aidant of `organisation` and what their browser does (one session, its CSRF cookie). */
const aidant = (organisation: Organisation) => loggedInAidant(app, sequelize, organisation, NEW);

/** A translation with a private-use code of its own (the test database is shared with the demo data). */
const translation = (fields: Partial<{ direction: 'ltr' | 'rtl'; isPublished: boolean; textVersion: string; body: string; nameFr: string }> = {}) =>
  MandatTranslation.create({
    languageCode: `qaa-${unique('').slice(0, 8)}`, nameFr: fields.nameFr ?? `Langue ${unique()}`, nameNative: 'Natif', direction: fields.direction ?? 'ltr',
    body: fields.body ?? 'Texte traduit.', textVersion: fields.textVersion ?? MANDAT_TEXT_VERSION, isPublished: fields.isPublished ?? true,
  });

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('the printable draft of the mandat', () => {
  it('prints the choice with the legal text, the structure, blank lines for the usager, marked unsigned', async () => {
    const structure = await createStructure('CCAS de Projet');
    const who = await aidant(structure);
    expect(who.first.text).toContain('Imprimer le projet de mandat');

    const chosen = await who.post(NEW, { demarches: ['social', 'famille'], duration: 'SEMESTER', etape: 'projet' });
    expect(chosen.status).toBe(303);
    expect(chosen.headers.location).toBe(DRAFT);
    const draft = await who.get(DRAFT);
    expect(draft.status).toBe(200);
    const page = text(draft.text);
    expect(draft.text).toContain('Projet — non signé');
    expect(draft.text).toMatch(/<title>Projet de mandat — non signé - Aidants Connect<\/title>/);
    expect(page).toContain('CCAS de Projet');
    expect(page).toContain(`${who.person.user.firstName} ${who.person.user.lastName}`);
    expect(page).toContain('pour une durée de six mois (182 jours)');
    const demarches = /<ul id="projet-demarches">([\s\S]*?)<\/ul>/.exec(draft.text)![1];
    expect(demarches).toContain('Social - Santé');
    expect(demarches).toContain('Famille');
    expect(demarches).not.toContain('Argent');
    for (const section of currentMandatText().sections) expect(draft.text).toContain(section.heading);
    expect(page).toContain('Usager (mandant) : nom et prénoms ……');
    expect(page).toContain('Signature de l’usager : ……');
    // A printable document: header and footer left out of the print.
    expect(draft.text).toContain('class="fr-header fr-no-print"');

    // « Imprimer » keeps the choice: the choice page shows it again, and FranceConnect goes on from the draft.
    const back = await who.get(NEW);
    expect(back.text).toMatch(/id="demarche-famille" name="demarches" value="famille"\s+checked/);
    expect(draft.text).toContain('href="/espace-aidant/mandats/nouveau/franceconnect"');
  });

  it('offers the published translations of the text in force, shown in their language and direction', async () => {
    const structure = await createStructure();
    const who = await aidant(structure);
    const arabic = await translation({ direction: 'rtl', nameFr: `Arabe ${unique()}`, body: 'الفقرة الأولى\n\nالفقرة الثانية' });
    const english = await translation({ nameFr: `Anglais ${unique()}`, body: 'First paragraph.\nSame paragraph.\n\nSecond paragraph.' });
    const unpublished = await translation({ isPublished: false });
    const outdated = await translation({ textVersion: '2024-01-01' });
    await who.post(NEW, { demarches: ['social'], duration: 'SHORT', etape: 'projet' });

    const draft = await who.get(DRAFT);
    expect(draft.text).toMatch(new RegExp(`<option value="${arabic.languageCode}"\\s*>${arabic.nameFr} — Natif</option>`));
    expect(draft.text).toContain(`value="${english.languageCode}"`);
    expect(draft.text).not.toContain(unpublished.languageCode);
    expect(draft.text).not.toContain(outdated.languageCode);
    expect(draft.text).not.toContain('id="traduction"');

    const withArabic = await who.get(`${DRAFT}?langue=${arabic.languageCode}`);
    expect(withArabic.status).toBe(200);
    expect(withArabic.text).toContain(`<div lang="${arabic.languageCode}" dir="rtl" id="traduction">`);
    expect(withArabic.text).toMatch(/<p>الفقرة الأولى<\/p>\s*<p>الفقرة الثانية<\/p>/);
    // After the French text, which alone is binding; the page itself stays French, left to right.
    expect(withArabic.text.indexOf('id="traduction"')).toBeGreaterThan(withArabic.text.indexOf(currentMandatText().sections.at(-1)!.heading));
    expect(withArabic.text).toContain('<html lang="fr"');
    expect(withArabic.text).toContain(`<option value="${arabic.languageCode}" selected>`);

    const withEnglish = await who.get(`${DRAFT}?langue=${english.languageCode}`);
    expect(withEnglish.text).toContain(`<div lang="${english.languageCode}" dir="ltr" id="traduction">`);
    expect(withEnglish.text).toMatch(/<p>First paragraph\.<br>Same paragraph\.<\/p>\s*<p>Second paragraph\.<\/p>/);

    // Unpublished, outdated, unknown or malformed: not shown, said in French, the French draft still there.
    for (const code of [unpublished.languageCode, outdated.languageCode, 'zz', '<script>']) {
      const refused = await who.get(`${DRAFT}?langue=${encodeURIComponent(code)}`);
      expect([code, refused.status]).toEqual([code, 404]);
      expect(text(refused.text)).toContain(DRAFT_ERRORS.unknownTranslation);
      expect(refused.text).not.toContain('id="traduction"');
      expect(refused.text).toContain('Projet — non signé');
    }
  });

  it('answers a French page without a choice, with another structure’s choice or a choice no longer allowed', async () => {
    const structure = await createStructure();
    const who = await aidant(structure);
    const none = await who.get(DRAFT);
    expect(none.status).toBe(404);
    expect(none.text).toContain('Aucun projet de mandat à imprimer');
    expect(none.text).not.toContain('Projet — non signé');

    // A wrong choice is refused on the form, as for FranceConnect, with the values kept.
    const wrong = await who.post(NEW, { duration: 'SHORT', etape: 'projet' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Vous devez sélectionner au moins une démarche.');
    expect((await who.get(DRAFT)).status).toBe(404);

    // The structure no longer allows a démarche chosen: the draft is not printed.
    await who.post(NEW, { demarches: ['social', 'argent'], duration: 'LONG', etape: 'projet' });
    expect((await who.get(DRAFT)).status).toBe(200);
    await Organisation.update({ allowedDemarches: ['social'] }, { where: { id: structure.id } });
    const stale = await who.get(DRAFT);
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Le choix enregistré n’est plus valable');

    // The same aidant, switched to another of their structures, no longer prints the first one's choice.
    const second = await createStructure();
    await OrganisationMembership.create({ userId: who.person.user.id, organisationId: second.id, isReferent: false, canCreateMandats: true });
    await Organisation.update({ allowedDemarches: ['social', 'argent'] }, { where: { id: structure.id } });
    await who.post(NEW, { demarches: ['social'], duration: 'LONG', etape: 'projet' });
    expect((await who.get(DRAFT)).status).toBe(200);
    expect((await who.post('/espace-aidant/structure', { organisationId: second.id })).status).toBe(303);
    const switched = await who.get(DRAFT);
    expect(switched.status).toBe(404);
    expect(switched.text).toContain('Aucun projet de mandat à imprimer');

    // Another aidant (another session) of another structure sees nothing of it.
    const other = await aidant(await createStructure());
    const theirs = await other.get(DRAFT);
    expect(theirs.status).toBe(404);
    expect(theirs.text).not.toContain('Social - Santé');
  });
});
