// The card stock: a card goes in stock (imported), linked to an aidant, validated by a first code, and back
// in stock when unlinked (when and why kept until it is linked again). The state is computed by PostgreSQL
// so that the back-office lists and filters it like a column. A card back in stock keeps its last accepted
// time step: a code it showed before never replays. Who validated a card is kept to tell the aidant's
// onboarding later if Temporal was unreachable at the time (services/cards.ts).
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE cards
  ADD COLUMN unlinked_at timestamptz,
  ADD COLUMN unlink_reason text CHECK (char_length(unlink_reason) BETWEEN 1 AND 600),
  ADD COLUMN validated_by_id uuid REFERENCES users(id) ON DELETE RESTRICT,
  ADD CONSTRAINT unlinked_card_in_stock CHECK (unlinked_at IS NULL OR aidant_id IS NULL),
  ADD CONSTRAINT unlinked_card_has_reason CHECK ((unlinked_at IS NULL) = (unlink_reason IS NULL)),
  ADD COLUMN status text NOT NULL GENERATED ALWAYS AS (
    CASE
      WHEN aidant_id IS NOT NULL AND validated_at IS NOT NULL THEN 'validated'
      WHEN aidant_id IS NOT NULL THEN 'linked'
      WHEN unlinked_at IS NOT NULL THEN 'unlinked'
      ELSE 'in_stock'
    END) STORED;
CREATE INDEX cards_status ON cards (status);
`;

const DOWN = `
DROP INDEX IF EXISTS cards_status;
ALTER TABLE cards
  DROP COLUMN IF EXISTS status,
  DROP CONSTRAINT IF EXISTS unlinked_card_has_reason,
  DROP CONSTRAINT IF EXISTS unlinked_card_in_stock,
  DROP COLUMN IF EXISTS validated_by_id,
  DROP COLUMN IF EXISTS unlink_reason,
  DROP COLUMN IF EXISTS unlinked_at;
`;

export const { up, down } = sqlMigration(UP, DOWN);
