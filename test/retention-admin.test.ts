// The retention's dry run in the back-office (« Aperçu de la conservation »): the technical admin only, counts
// per kind and oldest dates, nothing deleted; and the journal saying « relatif à un usager supprimé ».
import { randomUUID } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { JournalEntry, Mandat } from '../db/models/index.js';
import { MANDAT_TEXT_VERSION } from '../domain/mandat.js';
import { appendJournal } from '../services/journal.js';
import { adminAgent } from './support/admin-session.js';
import { useBackOfficeStack } from './support/back-office-stack.js';
import { createPerson, createStructure } from './support/espace.js';
import { createStaffMember } from './support/factories.js';
import { createUsager } from './support/mandats.js';
import { unique } from './support/env.js';

type Staff = Awaited<ReturnType<typeof createStaffMember>>;
let jury: Staff;
let staff: Staff;
let tech: Staff;
const stack = useBackOfficeStack({
  prepare: async () => { [jury, staff, tech] = [await createStaffMember('anct_jury'), await createStaffMember('anct_staff'), await createStaffMember('tech_admin')]; },
});
const as = (person: Staff) => adminAgent(stack.web.url, person.email, person.totp);
const refused = (res: { status: number; body: { notice?: { type?: string; message?: string } } }) =>
  res.status === 200 && res.body?.notice?.type === 'error' && res.body.notice.message === 'forbiddenError';
const PREVIEW = '/admin/api/resources/journal/actions/retentionPreview';
type Kind = { key: string; count: number; oldest: string | null };

describe('retention in the back-office', () => {
  it('shows the technical admin what the retention would delete now, deleting nothing; refused to the other roles', async () => {
    for (const person of [jury, staff]) expect(refused(await (await as(person)).get(PREVIEW))).toBe(true);
    const agent = await as(tech);
    const countOf = (body: { retention: { kinds: Kind[] } }, key: string) => body.retention.kinds.find((k) => k.key === key)!;
    const before = (await agent.get(PREVIEW)).body;

    const organisation = await createStructure();
    const { user: aidant } = await createPerson(organisation, { card: null });
    const usager = await createUsager();
    const ids = (await stack.sequelize.query<{ id: string }>(`
      INSERT INTO mandats (organisation_id, usager_id, created_by_id, duration, status, created_at, expires_at, template_hash, attestation_hash, text_version)
      SELECT :o, :u, :a, 'LONG', 'expired', '1990-01-01T10:00:00Z', '1991-01-01T10:00:00Z', 't', md5(random()::text), :v FROM generate_series(1, 3) RETURNING id`,
    { replacements: { o: organisation.id, u: usager.id, a: aidant.id, v: MANDAT_TEXT_VERSION }, type: QueryTypes.SELECT })).map((r) => r.id);

    const after = (await agent.get(PREVIEW)).body;
    expect(countOf(after, 'mandats').count).toBe(countOf(before, 'mandats').count + 3);
    expect(countOf(after, 'usagers').count).toBe(countOf(before, 'usagers').count + 1);
    expect(countOf(after, 'mandats').oldest).toBe('01/01/1991');
    expect(after.retention.rules).toContain('6 ans après leur fin');
    // The daily duty's purges are previewed beside it (counted in test/inactivity.test.ts).
    expect(after.retention.kinds.map((k: { label: string }) => k.label)).toEqual(expect.arrayContaining(['Brouillons de demande d’habilitation inactifs à supprimer', 'Contenus d’e-mails envoyés à effacer']));
    expect(await Mandat.count({ where: { id: ids } })).toBe(3);
    expect(await JournalEntry.count({ where: { actorId: tech.id, action: 'retention_purge' } })).toBe(0);
  });

  it('says an entry is about a deleted usager', async () => {
    const gone = randomUUID(); // a usager the retention deleted: the journal keeps the id only
    const key = unique('entry-');
    await appendJournal({ action: 'use_autorisation', usagerId: gone, idempotencyKey: key });
    const entry = await JournalEntry.findOne({ where: { idempotencyKey: key } });
    const shown = await (await as(staff)).get(`/admin/api/resources/journal/records/${entry!.id}/show`);
    expect(shown.body.record.params.erasureNote).toBe('relatif à un usager supprimé');
  });
});
