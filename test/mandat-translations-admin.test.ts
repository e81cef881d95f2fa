// The translations of the mandat's text in the back-office, through the real web process (AdminJS API) and
// PostgreSQL: the ANCT team creates one (French errors next to the faulty fields: code, names, direction,
// empty text; one per language), edits it, publishes and withdraws it — each change journaled; a translation
// of an older version of the French text shows « À mettre à jour » and is refused publication; the comité
// (no mandat capability) writes nothing.
import { JournalEntry, MandatTranslation } from '../db/models/index.js';
import { MANDAT_TEXT_VERSION } from '../domain/mandat.js';
import { adminAgent } from './support/admin-session.js';
import { useBackOfficeStack } from './support/back-office-stack.js';
import { createStaffMember } from './support/factories.js';
import { unique } from './support/env.js';

let jury: Awaited<ReturnType<typeof createStaffMember>>;
let staff: typeof jury;
const stack = useBackOfficeStack({
  prepare: async () => { [jury, staff] = [await createStaffMember('anct_jury'), await createStaffMember('anct_staff')]; },
});

const NEW = '/admin/api/resources/mandat_translations/actions/new';
const record = (id: string, action: string) => `/admin/api/resources/mandat_translations/records/${id}/${action}`;
type Agent = Awaited<ReturnType<typeof adminAgent>>;
const send = (agent: Agent, path: string, fields: Record<string, string> = {}) => {
  let call = agent.post(path);
  for (const [name, value] of Object.entries(fields)) call = call.field(name, value);
  return call.field('_', '');
};
/** A private-use code of its own (the test database is shared with the demo data). */
const code = () => `qaa-${unique('').slice(0, 8)}`;
const journalOf = (translationId: string) => JournalEntry.findAll({ where: { action: 'mandat_translation_changed' }, order: [['id', 'ASC']] })
  .then((entries) => entries.filter((e) => (e.details as { translationId?: string }).translationId === translationId));

describe('translations of the mandat in the back-office', () => {
  it('creates a translation with French errors next to the faulty fields, one per language, unpublished first', async () => {
    const asStaff = await adminAgent(stack.web.url, staff.email, staff.totp);
    const valid = { languageCode: code(), nameFr: 'Arabe (test)', nameNative: 'العربية', direction: 'rtl', textVersion: MANDAT_TEXT_VERSION, body: 'الفقرة الأولى\r\n\r\nالفقرة الثانية' };

    const wrong = await send(asStaff, NEW, { ...valid, languageCode: 'Arabe', nameFr: ' ', direction: 'diagonal', body: '  \n ' });
    expect(wrong.body.notice.type).toBe('error');
    expect(Object.keys(wrong.body.record.errors).sort()).toEqual(['body', 'direction', 'languageCode', 'nameFr']);
    expect(wrong.body.record.errors.languageCode.message).toMatch(/^Indiquez le code de la langue au format BCP 47/);
    expect(wrong.body.record.errors.body.message).toBe('Le texte traduit ne peut pas être vide : collez la traduction complète du mandat.');
    expect(wrong.body.record.errors.direction.message).toMatch(/^Choisissez le sens d’écriture/);
    const badVersion = await send(asStaff, NEW, { ...valid, textVersion: '1999-01-01' });
    expect(badVersion.body.record.errors.textVersion.message).toContain(`version en vigueur : ${MANDAT_TEXT_VERSION}`);
    expect(await MandatTranslation.count({ where: { languageCode: valid.languageCode } })).toBe(0);

    const created = await send(asStaff, NEW, valid);
    expect(created.body.notice.type).toBe('success');
    const id = created.body.record.id as string;
    expect(await MandatTranslation.findByPk(id)).toMatchObject({
      languageCode: valid.languageCode, direction: 'rtl', isPublished: false, body: 'الفقرة الأولى\n\nالفقرة الثانية', createdById: staff.id, updatedById: staff.id,
    });
    expect((await journalOf(id)).map((e) => [e.actorId, (e.details as { event: string }).event])).toEqual([[staff.id, 'created']]);

    // The same language again, whatever its case: refused next to the code.
    const shouted = valid.languageCode.replace(/-(.*)$/, (_, rest: string) => `-${rest.toUpperCase()}`);
    const twice = await send(asStaff, NEW, { ...valid, languageCode: shouted });
    expect(twice.body.record.errors.languageCode.message).toBe(`Une traduction existe déjà pour la langue « ${shouted} » : modifiez-la plutôt que d’en créer une autre.`);
    expect(await MandatTranslation.count({ where: { nameFr: 'Arabe (test)', languageCode: valid.languageCode } })).toBe(1);

    // The list says what each translation is, in French.
    const list = await asStaff.get('/admin/api/resources/mandat_translations/actions/list?perPage=500');
    const row = (list.body.records as { id: string; params: Record<string, unknown> }[]).find((r) => r.id === id)!;
    expect(row.params).toMatchObject({ currentness: 'Traduit le texte en vigueur', isPublished: false });

    // The comité neither creates, edits nor publishes.
    const asJury = await adminAgent(stack.web.url, jury.email, jury.totp);
    expect((await send(asJury, NEW, { ...valid, languageCode: code() })).body.notice.type).toBe('error');
    expect((await send(asJury, record(id, 'edit'), { ...valid, nameFr: 'Piraté' })).body.notice.type).toBe('error');
    expect((await send(asJury, record(id, 'publish'))).body.notice.type).toBe('error');
    expect(await MandatTranslation.findByPk(id)).toMatchObject({ nameFr: 'Arabe (test)', isPublished: false });
  });

  it('edits, publishes and withdraws a translation, journaled; refuses to publish one of an older text', async () => {
    const asStaff = await adminAgent(stack.web.url, staff.email, staff.totp);
    const translation = await MandatTranslation.create({
      languageCode: code(), nameFr: 'Anglais (test)', nameNative: 'English', direction: 'ltr', body: 'First version.', textVersion: MANDAT_TEXT_VERSION,
    });
    const fields = { languageCode: translation.languageCode, nameFr: 'Anglais (test)', nameNative: 'English', direction: 'ltr', textVersion: MANDAT_TEXT_VERSION };

    const empty = await send(asStaff, record(translation.id, 'edit'), { ...fields, body: '' });
    expect(empty.body.record.errors.body.message).toBe('Le texte traduit ne peut pas être vide : collez la traduction complète du mandat.');
    expect((await MandatTranslation.findByPk(translation.id))!.body).toBe('First version.');

    const edited = await send(asStaff, record(translation.id, 'edit'), { ...fields, body: 'Second version.' });
    expect(edited.body.notice).toEqual({ type: 'success', message: 'Traduction mise à jour.' });
    expect(await MandatTranslation.findByPk(translation.id)).toMatchObject({ body: 'Second version.', updatedById: staff.id });

    const published = await send(asStaff, record(translation.id, 'publish'));
    expect(published.body.notice).toEqual({ type: 'success', message: 'Traduction publiée : les aidants peuvent l’imprimer avec le projet de mandat.' });
    expect((await MandatTranslation.findByPk(translation.id))!.isPublished).toBe(true);
    const withdrawn = await send(asStaff, record(translation.id, 'unpublish'));
    expect(withdrawn.body.notice.type).toBe('success');
    expect((await MandatTranslation.findByPk(translation.id))!.isPublished).toBe(false);
    expect((await journalOf(translation.id)).map((e) => [e.actorId, (e.details as { event: string }).event]))
      .toEqual([[staff.id, 'updated'], [staff.id, 'published'], [staff.id, 'unpublished']]);
    expect((await journalOf(translation.id))[0].details).toMatchObject({ changed: ['body'] });

    // A translation of an older French text: flagged, and not published.
    const old = await MandatTranslation.create({
      languageCode: code(), nameFr: 'Pachto (test)', nameNative: 'پښتو', direction: 'rtl', body: 'متن', textVersion: '2024-01-01',
    });
    const shown = await asStaff.get(record(old.id, 'show'));
    expect(shown.body.record.params.currentness).toBe('À mettre à jour : traduit la version 2024-01-01, non proposée aux aidants');
    const refused = await send(asStaff, record(old.id, 'publish'));
    expect(refused.body.notice.type).toBe('error');
    expect(refused.body.notice.message).toContain(`la version en vigueur est ${MANDAT_TEXT_VERSION} : mettez la traduction à jour`);
    expect((await MandatTranslation.findByPk(old.id))!.isPublished).toBe(false);
    expect(await journalOf(old.id)).toEqual([]);
  });
});
