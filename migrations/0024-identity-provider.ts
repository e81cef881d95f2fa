// Aidants Connect as FranceConnect's identity provider (server/identity-provider/): one row per authorize
// request FranceConnect sent, a table of its own (apart from `connections`, the service's own client legs).
// It records what the request asked (client, exact redirect_uri, state, nonce, acr, rep_scope), the aidant's browser session
// it is bound to (keyed hash of the session id), then whom the aidant chose (aidant, structure, usager, démarche, autorisation), then the code and the access token — each
// stored only as a keyed hash (HMAC-SHA256, key derived from SECRETS_KEY) with its own expiry. A code is
// redeemed once: `code_used_at` is set by one atomic UPDATE … WHERE code_used_at IS NULL; a second redemption
// revokes the access token the first one issued (`access_token_revoked_at`).
import { sqlMigration } from './sql-migration.js';

const DEMARCHES = "'papiers','famille','social','travail','logement','transports','argent','justice','etranger','loisirs'";

const UP = `
CREATE TABLE idp_connections (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_id text NOT NULL,
  redirect_uri text NOT NULL,
  fc_version smallint NOT NULL CHECK (fc_version IN (1, 2)),
  state text NOT NULL,
  nonce text NOT NULL,
  acr text NOT NULL,
  rep_scope text[] CHECK (rep_scope <@ ARRAY[${DEMARCHES}]),
  expires_at timestamptz NOT NULL,
  aidant_id uuid REFERENCES users(id) ON DELETE CASCADE,
  organisation_id uuid REFERENCES organisations(id) ON DELETE CASCADE,
  session_hash text,
  usager_id uuid REFERENCES usagers(id) ON DELETE CASCADE,
  demarche text CHECK (demarche IN (${DEMARCHES})),
  autorisation_id uuid REFERENCES autorisations(id) ON DELETE CASCADE,
  code_hash text UNIQUE,
  code_expires_at timestamptz,
  code_used_at timestamptz,
  access_token_hash text UNIQUE,
  access_token_expires_at timestamptz,
  access_token_revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT idp_connection_aidant_with_organisation CHECK ((aidant_id IS NULL) = (organisation_id IS NULL) AND (aidant_id IS NULL) = (session_hash IS NULL)),
  CONSTRAINT idp_connection_code_complete CHECK (code_hash IS NULL
    OR (aidant_id IS NOT NULL AND usager_id IS NOT NULL AND demarche IS NOT NULL AND autorisation_id IS NOT NULL AND code_expires_at IS NOT NULL)),
  CONSTRAINT idp_connection_token_after_code CHECK (access_token_hash IS NULL OR (code_used_at IS NOT NULL AND access_token_expires_at IS NOT NULL))
);
CREATE INDEX idp_connections_expires ON idp_connections (expires_at);
`;

const DOWN = `
DROP TABLE IF EXISTS idp_connections;
`;

export const { up, down } = sqlMigration(UP, DOWN);
