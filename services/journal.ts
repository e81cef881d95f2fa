// Writes to the append-only journal (with an idempotency key, a retried write is a no-op), seals its hash chain
// and verifies it (migration 0033: sealed after commit).
import { JournalEntry } from '../db/models/index.js';
import type { JournalAction } from '../domain/journal.js';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

export interface JournalInput {
  action: JournalAction;
  actorId?: string | null;
  organisationId?: string | null;
  usagerId?: string | null;
  mandatId?: string | null;
  autorisationId?: string | null;
  habilitationRequestId?: string | null;
  onboardingId?: string | null;
  demarches?: string[] | null;
  durationDays?: number | null;
  details?: Record<string, unknown>;
  idempotencyKey?: string | null;
}

export async function appendJournal(input: JournalInput, transaction?: Transaction): Promise<void> {
  // ON CONFLICT (idempotency_key) DO NOTHING: a retried activity journals once.
  await JournalEntry.bulkCreate(
    [{
      action: input.action,
      actorId: input.actorId ?? null,
      organisationId: input.organisationId ?? null,
      usagerId: input.usagerId ?? null,
      mandatId: input.mandatId ?? null,
      autorisationId: input.autorisationId ?? null,
      habilitationRequestId: input.habilitationRequestId ?? null,
      onboardingId: input.onboardingId ?? null,
      demarches: input.demarches ?? null,
      durationDays: input.durationDays ?? null,
      details: input.details ?? {},
      idempotencyKey: input.idempotencyKey ?? null,
    }],
    { ignoreDuplicates: true, transaction },
  );
}

/** How often each worker seals the journal: an entry is chained about this long after its commit. */
export const JOURNAL_SEAL_INTERVAL_MS = 1_000;

/**
 * Seals the committed entries still pending (migration 0033), `batchSize` per transaction, and returns how many.
 * `wait`: wait for a sealer at work rather than leave it the queue — what a reader that must see every committed
 * entry sealed (the verification, the export) asks; the periodic sealer does not wait.
 */
export async function sealJournal(sequelize: Sequelize, options: { wait?: boolean; batchSize?: number; transaction?: Transaction } = {}): Promise<number> {
  const batchSize = Math.trunc(options.batchSize ?? 1_000);
  let total = 0;
  for (;;) {
    const [row] = await sequelize.query<{ sealed: number | null }>('SELECT journal_seal($1, $2) AS sealed', {
      type: QueryTypes.SELECT, bind: [batchSize, options.wait ?? false], transaction: options.transaction,
    });
    const sealed = row?.sealed ?? 0;
    total += sealed;
    if (sealed < batchSize) return total;
  }
}

/**
 * Recomputes the hash chain in seal order, in batches (a million entries are never held at once), after sealing
 * what is pending; returns how many entries were checked and the id of the first one that does not match, or
 * that is neither sealed nor pending (its queue row deleted by hand); null when the chain is intact.
 */
export async function verifyJournalChain(transaction?: Transaction, batchSize = 10_000): Promise<{ checked: number; brokenAt: string | null }> {
  const sequelize = JournalEntry.sequelize!;
  await sealJournal(sequelize, { wait: true, transaction });
  let checked = 0;
  let position = 0;
  let expectedPrevious = 'genesis';
  for (;;) {
    const seals = await sequelize.query<{ position: string; entry_id: string; hash: string; previous_hash: string; recomputed: string | null }>(`
      SELECT s.position::text AS position, s.entry_id::text AS entry_id, s.hash, s.previous_hash, journal_entry_digest(s.previous_hash, j) AS recomputed
      FROM journal_seals s LEFT JOIN journal j ON j.id = s.entry_id
      WHERE s.position > $1 ORDER BY s.position LIMIT ${Math.trunc(batchSize)}`, { type: QueryTypes.SELECT, bind: [position], transaction });
    for (const seal of seals) {
      checked += 1;
      position += 1;
      // A missing position is a deleted seal; a missing entry recomputes to null.
      if (Number(seal.position) !== position || seal.recomputed !== seal.hash || seal.previous_hash !== expectedPrevious) return { checked, brokenAt: seal.entry_id };
      expectedPrevious = seal.hash;
    }
    if (seals.length < batchSize) break;
  }
  const [orphan] = await sequelize.query<{ id: string | null }>(`
    SELECT min(j.id)::text AS id FROM journal j
    WHERE NOT EXISTS (SELECT 1 FROM journal_seals s WHERE s.entry_id = j.id) AND NOT EXISTS (SELECT 1 FROM journal_unsealed u WHERE u.entry_id = j.id)`,
  { type: QueryTypes.SELECT, transaction });
  return { checked, brokenAt: orphan?.id ?? null };
}

export interface JournalSeal { position: string; previousHash: string; hash: string }

/** The seals of these entries, by entry id (an entry not yet sealed is absent). */
export async function journalSeals(sequelize: Sequelize, entryIds: readonly string[]): Promise<Map<string, JournalSeal>> {
  if (entryIds.length === 0) return new Map();
  const rows = await sequelize.query<{ entry_id: string; position: string; previous_hash: string; hash: string }>(
    'SELECT entry_id::text AS entry_id, position::text AS position, previous_hash, hash FROM journal_seals WHERE entry_id = ANY($1::bigint[])',
    { type: QueryTypes.SELECT, bind: [entryIds] });
  return new Map(rows.map((row) => [row.entry_id, { position: row.position, previousHash: row.previous_hash, hash: row.hash }]));
}
