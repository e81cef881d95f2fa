// Writes to the append-only journal. With an idempotency key, a retried write is a no-op.
import { JournalEntry } from '../db/models/index.js';
import type { JournalAction } from '../domain/journal.js';
import type { Transaction } from 'sequelize';

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

/** Recomputes the hash chain; returns the id of the first entry that does not match, or null when intact. */
export async function verifyJournalChain(transaction?: Transaction): Promise<{ checked: number; brokenAt: string | null }> {
  const sequelize = JournalEntry.sequelize!;
  const [rows] = await sequelize.query(`
    SELECT id, hash, previous_hash,
           journal_entry_digest(previous_hash, j) AS recomputed,
           lag(hash) OVER (ORDER BY id) AS expected_previous
    FROM journal j ORDER BY id`, { transaction });
  const entries = rows as { id: string; hash: string; previous_hash: string; recomputed: string; expected_previous: string | null }[];
  for (const entry of entries) {
    if (entry.recomputed !== entry.hash || entry.previous_hash !== (entry.expected_previous ?? 'genesis')) {
      return { checked: entries.length, brokenAt: String(entry.id) };
    }
  }
  return { checked: entries.length, brokenAt: null };
}
