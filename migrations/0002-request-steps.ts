// The habilitation form in steps: the demandeur confirms their e-mail once, before any request (the
// confirmation no longer belongs to a request), and a request is saved as a draft step by step, so only a
// submitted request has to be complete.
import { sqlMigration } from './sql-migration.js';

const UP = `
ALTER TABLE issuer_email_confirmations DROP COLUMN IF EXISTS habilitation_request_id;
CREATE INDEX issuer_email_confirmations_issuer ON issuer_email_confirmations (issuer_id, created_at);

ALTER TABLE habilitation_requests DROP CONSTRAINT request_submitted_is_complete;
ALTER TABLE habilitation_requests ADD CONSTRAINT request_submitted_is_complete CHECK (
  (status = 'draft' AND submitted_at IS NULL) OR (
    submitted_at IS NOT NULL AND address IS NOT NULL AND zipcode IS NOT NULL AND city IS NOT NULL
    AND referent_first_name IS NOT NULL AND referent_last_name IS NOT NULL AND referent_email IS NOT NULL
    AND referent_phone IS NOT NULL AND referent_profession IS NOT NULL
    AND pledge_cgu AND pledge_not_free AND pledge_dpo AND pledge_professionals_only AND pledge_without_elected));
CREATE INDEX habilitation_requests_issuer ON habilitation_requests (issuer_id, created_at);
`;

const DOWN = `
DROP INDEX IF EXISTS habilitation_requests_issuer, issuer_email_confirmations_issuer;
ALTER TABLE habilitation_requests DROP CONSTRAINT request_submitted_is_complete;
ALTER TABLE habilitation_requests ADD CONSTRAINT request_submitted_is_complete CHECK (status = 'draft' OR (
  submitted_at IS NOT NULL AND referent_email IS NOT NULL AND address IS NOT NULL AND zipcode IS NOT NULL
  AND pledge_cgu AND pledge_not_free AND pledge_dpo AND pledge_professionals_only AND pledge_without_elected));
ALTER TABLE issuer_email_confirmations ADD COLUMN habilitation_request_id uuid REFERENCES habilitation_requests(id) ON DELETE CASCADE;
`;

export const { up, down } = sqlMigration(UP, DOWN);
