// Writes to the append-only journal. With an idempotency key, a retried write is a no-op.
import { JournalEntry } from '../db/models/index.js';
import type { JournalAction } from '../domain/journal.js';
import { QueryTypes, type Transaction } from 'sequelize';

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

/**
 * Recomputes the hash chain, in batches by id (a million entries are never held at once); returns how many
 * entries were checked and the id of the first one that does not match (null when the chain is intact).
 */
export async function verifyJournalChain(transaction?: Transaction, batchSize = 10_000): Promise<{ checked: number; brokenAt: string | null }> {
  const sequelize = JournalEntry.sequelize!;
  let checked = 0;
  let after = '0';
  let expectedPrevious = 'genesis';
  for (;;) {
    const entries = await sequelize.query<{ id: string; hash: string; previous_hash: string; recomputed: string }>(`
      SELECT id::text AS id, hash, previous_hash, journal_entry_digest(previous_hash, j) AS recomputed
      FROM journal j WHERE j.id > $1 ORDER BY j.id LIMIT ${Math.trunc(batchSize)}`, { type: QueryTypes.SELECT, bind: [after], transaction });
    for (const entry of entries) {
      checked += 1;
      if (entry.recomputed !== entry.hash || entry.previous_hash !== expectedPrevious) return { checked, brokenAt: entry.id };
      expectedPrevious = entry.hash;
    }
    if (entries.length < batchSize) return { checked, brokenAt: null };
    after = entries[entries.length - 1].id;
  }
}
