// The espace référent: an aidant to train asked by a référent of an already habilitated structure waits for
// the ANCT's eligibility decision (awaiting_eligibility, then awaiting_training or eligibility_refused) before
// its lifecycle starts; an aidant already trained elsewhere joins through a structure-change request when the
// référent does not manage one of the aidant's structures.
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE aidant_onboardings DROP CONSTRAINT aidant_onboardings_status_check;
ALTER TABLE aidant_onboardings ADD CONSTRAINT aidant_onboardings_status_check CHECK (status IN
  ('awaiting_eligibility','awaiting_training','trained','account_activated','card_shipping','card_linking','completed','lapsed','cancelled','eligibility_refused'));
ALTER TABLE aidant_onboardings DROP CONSTRAINT onboarding_trained_has_date;
ALTER TABLE aidant_onboardings ADD CONSTRAINT onboarding_trained_has_date
  CHECK (status IN ('awaiting_eligibility','awaiting_training','lapsed','cancelled','eligibility_refused') OR training_date IS NOT NULL);
ALTER TABLE aidant_onboardings
  ADD COLUMN requested_by_id uuid REFERENCES users(id) ON DELETE RESTRICT,
  ADD COLUMN conseiller_numerique boolean NOT NULL DEFAULT false,
  ADD COLUMN eligibility_decided_at timestamptz,
  ADD COLUMN eligibility_refusal_reason text,
  ADD COLUMN lifecycle_started_at timestamptz,
  ADD CONSTRAINT onboarding_eligibility_asked_by_referent CHECK (status <> 'awaiting_eligibility' OR requested_by_id IS NOT NULL),
  ADD CONSTRAINT onboarding_eligibility_refused_has_reason
    CHECK ((status = 'eligibility_refused') = (eligibility_refusal_reason IS NOT NULL AND eligibility_decided_at IS NOT NULL));
-- A refused request no longer holds the address: the référent may ask again.
DROP INDEX aidant_onboardings_one_active;
CREATE UNIQUE INDEX aidant_onboardings_one_active ON aidant_onboardings (organisation_id, email)
  WHERE status NOT IN ('completed','lapsed','cancelled','eligibility_refused');

CREATE TABLE structure_change_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  aidant_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
  requested_by_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','accepted','refused','cancelled')),
  decided_by_id uuid REFERENCES users(id) ON DELETE RESTRICT,
  decided_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT structure_change_decided_dated CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE UNIQUE INDEX structure_change_requests_one_pending ON structure_change_requests (aidant_id, organisation_id) WHERE status = 'pending';
CREATE INDEX structure_change_requests_organisation ON structure_change_requests (organisation_id, status);
`;

const DOWN = `
DROP TABLE IF EXISTS structure_change_requests;
ALTER TABLE aidant_onboardings
  DROP CONSTRAINT onboarding_eligibility_refused_has_reason,
  DROP CONSTRAINT onboarding_eligibility_asked_by_referent;
-- The journal keeps these rows (append-only): they become cancelled onboardings.
UPDATE aidant_onboardings SET status = 'cancelled', cancelled_at = coalesce(eligibility_decided_at, now()),
  cancel_reason = coalesce(eligibility_refusal_reason, 'Demande retirée')
  WHERE status IN ('awaiting_eligibility','eligibility_refused');
DROP INDEX aidant_onboardings_one_active;
CREATE UNIQUE INDEX aidant_onboardings_one_active ON aidant_onboardings (organisation_id, email)
  WHERE status NOT IN ('completed','lapsed','cancelled');
ALTER TABLE aidant_onboardings
  DROP COLUMN lifecycle_started_at, DROP COLUMN eligibility_refusal_reason, DROP COLUMN eligibility_decided_at,
  DROP COLUMN conseiller_numerique, DROP COLUMN requested_by_id;
ALTER TABLE aidant_onboardings DROP CONSTRAINT onboarding_trained_has_date;
ALTER TABLE aidant_onboardings ADD CONSTRAINT onboarding_trained_has_date
  CHECK (status IN ('awaiting_training','lapsed','cancelled') OR training_date IS NOT NULL);
ALTER TABLE aidant_onboardings DROP CONSTRAINT aidant_onboardings_status_check;
ALTER TABLE aidant_onboardings ADD CONSTRAINT aidant_onboardings_status_check CHECK (status IN
  ('awaiting_training','trained','account_activated','card_shipping','card_linking','completed','lapsed','cancelled'));
`;

export const { up, down } = sqlMigration(UP, DOWN);
