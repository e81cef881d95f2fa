// The whole domain schema. Enumerations are written out here on purpose: a migration is a snapshot of the
// schema at one point in time and must not change when domain/*.ts evolves (a later migration does that).
import { sqlMigration } from './sql-migration.js';

const DEMARCHES = `'papiers','famille','social','travail','logement','transports','argent','justice','etranger','loisirs'`;

const UP = `
CREATE TABLE organisations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(trim(name)) > 0),
  type text NOT NULL CHECK (type IN ('france_services','ccas','mairie','association','departement','epn','autre')),
  type_other text,
  siret char(14) NOT NULL CHECK (siret ~ '^[0-9]{14}$'),
  address text NOT NULL,
  zipcode text NOT NULL CHECK (zipcode ~ '^[0-9]{5}$'),
  city text NOT NULL,
  department_code text NOT NULL CHECK (department_code ~ '^([0-9]{2}|2A|2B|97[1-6])$'),
  france_services_label boolean NOT NULL DEFAULT false,
  france_services_number text,
  habilitation_number text UNIQUE,
  allowed_demarches text[] NOT NULL DEFAULT ARRAY[${DEMARCHES}]
    CHECK (cardinality(allowed_demarches) >= 1 AND allowed_demarches <@ ARRAY[${DEMARCHES}]),
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT organisation_type_other CHECK ((type = 'autre') = (type_other IS NOT NULL)),
  CONSTRAINT organisation_france_services_number CHECK (france_services_label = (france_services_number IS NOT NULL))
);
CREATE INDEX organisations_siret ON organisations (siret);

-- People: aidants, référents and ANCT staff share one table; staff roles are global, aidant/référent are memberships.
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
  first_name text NOT NULL,
  last_name text NOT NULL,
  profession text,
  phone text,
  is_active boolean NOT NULL DEFAULT true,
  current_organisation_id uuid REFERENCES organisations(id) ON DELETE RESTRICT,
  staff_roles text[] NOT NULL DEFAULT '{}' CHECK (staff_roles <@ ARRAY['anct_jury','anct_staff','tech_admin']),
  password_hash text,
  admin_totp_secret text,
  last_login_at timestamptz,
  last_activity_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- back-office access needs both factors
  CONSTRAINT staff_has_credentials CHECK (cardinality(staff_roles) = 0 OR (password_hash IS NOT NULL AND admin_totp_secret IS NOT NULL))
);
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE organisation_memberships (
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
  is_referent boolean NOT NULL DEFAULT false,
  can_create_mandats boolean NOT NULL DEFAULT true,
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, organisation_id),
  CONSTRAINT membership_has_a_role CHECK (is_referent OR can_create_mandats)
);
CREATE INDEX organisation_memberships_org ON organisation_memberships (organisation_id);

-- Habilitation requests (demandeur, structure data, référent, aidants to train, messages, decisions).
CREATE TABLE issuers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
  first_name text NOT NULL,
  last_name text NOT NULL,
  profession text NOT NULL,
  phone text,
  email_verified_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE habilitation_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  issuer_id uuid NOT NULL REFERENCES issuers(id) ON DELETE RESTRICT,
  status text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft','awaiting_comite','changes_required','validated','refused','closed')),
  -- structure
  name text NOT NULL,
  type text NOT NULL CHECK (type IN ('france_services','ccas','mairie','association','departement','epn','autre')),
  type_other text,
  siret char(14) NOT NULL CHECK (siret ~ '^[0-9]{14}$'),
  address text,
  zipcode text CHECK (zipcode ~ '^[0-9]{5}$'),
  city text,
  department_code text CHECK (department_code ~ '^([0-9]{2}|2A|2B|97[1-6])$'),
  france_services_label boolean NOT NULL DEFAULT false,
  france_services_number text,
  web_site text,
  mission_description text,
  -- référent
  referent_first_name text,
  referent_last_name text,
  referent_email text CHECK (referent_email = lower(referent_email)),
  referent_phone text,
  referent_profession text,
  referent_is_aidant boolean NOT NULL DEFAULT false,
  -- the five pledges
  pledge_cgu boolean NOT NULL DEFAULT false,
  pledge_not_free boolean NOT NULL DEFAULT false,
  pledge_dpo boolean NOT NULL DEFAULT false,
  pledge_professionals_only boolean NOT NULL DEFAULT false,
  pledge_without_elected boolean NOT NULL DEFAULT false,
  -- outcome
  organisation_id uuid REFERENCES organisations(id) ON DELETE RESTRICT,
  habilitation_number text UNIQUE,
  submitted_at timestamptz,
  decided_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT request_type_other CHECK ((type = 'autre') = (type_other IS NOT NULL)),
  CONSTRAINT request_france_services_number CHECK (france_services_label = (france_services_number IS NOT NULL)),
  CONSTRAINT request_submitted_is_complete CHECK (status = 'draft' OR (
    submitted_at IS NOT NULL AND referent_email IS NOT NULL AND address IS NOT NULL AND zipcode IS NOT NULL
    AND pledge_cgu AND pledge_not_free AND pledge_dpo AND pledge_professionals_only AND pledge_without_elected)),
  CONSTRAINT request_validated_has_structure CHECK (status NOT IN ('validated','closed') OR organisation_id IS NOT NULL)
);
CREATE INDEX habilitation_requests_status ON habilitation_requests (status);

-- The demandeur confirms their e-mail (link valid 3 days) before a request goes to the comité.
CREATE TABLE issuer_email_confirmations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  issuer_id uuid NOT NULL REFERENCES issuers(id) ON DELETE CASCADE,
  habilitation_request_id uuid NOT NULL REFERENCES habilitation_requests(id) ON DELETE CASCADE,
  key_hash text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE aidant_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  habilitation_request_id uuid NOT NULL REFERENCES habilitation_requests(id) ON DELETE CASCADE,
  first_name text NOT NULL,
  last_name text NOT NULL,
  email text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
  profession text NOT NULL,
  conseiller_numerique boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (habilitation_request_id, email)
);

CREATE TABLE request_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  habilitation_request_id uuid NOT NULL REFERENCES habilitation_requests(id) ON DELETE CASCADE,
  sender text NOT NULL CHECK (sender IN ('anct','demandeur')),
  author_id uuid REFERENCES users(id) ON DELETE RESTRICT,
  content text NOT NULL CHECK (length(trim(content)) > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT anct_message_has_author CHECK (sender = 'demandeur' OR author_id IS NOT NULL)
);

-- One row per comité decision; the id is the Temporal update id, so a repeated decision is stored once.
CREATE TABLE comite_decisions (
  id text PRIMARY KEY,
  habilitation_request_id uuid NOT NULL REFERENCES habilitation_requests(id) ON DELETE RESTRICT,
  decision text NOT NULL CHECK (decision IN ('validate','refuse','require_changes')),
  motif text NOT NULL CHECK (length(trim(motif)) > 0),
  jury_member_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  decided_at timestamptz NOT NULL DEFAULT now()
);

-- Aidant onboarding ("aidant à former"): one per aidant to train and structure.
CREATE TABLE aidant_onboardings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
  habilitation_request_id uuid REFERENCES habilitation_requests(id) ON DELETE RESTRICT,
  aidant_request_id uuid REFERENCES aidant_requests(id) ON DELETE RESTRICT,
  user_id uuid REFERENCES users(id) ON DELETE RESTRICT,
  email text NOT NULL CHECK (email = lower(email)),
  first_name text NOT NULL,
  last_name text NOT NULL,
  profession text,
  status text NOT NULL DEFAULT 'awaiting_training' CHECK (status IN
    ('awaiting_training','trained','account_activated','card_shipping','card_linking','completed','lapsed','cancelled')),
  training_deadline timestamptz NOT NULL,
  training_date date,
  lapsed_at timestamptz,
  cancelled_at timestamptz,
  cancel_reason text,
  completed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT onboarding_trained_has_date CHECK (status IN ('awaiting_training','lapsed','cancelled') OR training_date IS NOT NULL),
  CONSTRAINT onboarding_active_has_account CHECK (status NOT IN ('account_activated','card_shipping','card_linking','completed') OR user_id IS NOT NULL),
  CONSTRAINT onboarding_lapsed_dated CHECK ((status = 'lapsed') = (lapsed_at IS NOT NULL)),
  CONSTRAINT onboarding_cancelled_dated CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE UNIQUE INDEX aidant_onboardings_one_active ON aidant_onboardings (organisation_id, email)
  WHERE status NOT IN ('completed','lapsed','cancelled');

-- TOTP cards: the stock (serial + seed), the link to an aidant, and digital cards (TOTP apps).
CREATE TABLE cards (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL DEFAULT 'physical' CHECK (kind IN ('physical','digital')),
  serial_number text CHECK (serial_number ~ '^[A-Z0-9-]{4,32}$'),
  seed_hex text NOT NULL CHECK (seed_hex ~ '^[0-9a-f]{32,128}$'),
  period_seconds integer NOT NULL DEFAULT 60 CHECK (period_seconds IN (30, 60)),
  aidant_id uuid REFERENCES users(id) ON DELETE RESTRICT,
  linked_at timestamptz,
  validated_at timestamptz,
  is_functional boolean NOT NULL DEFAULT true,
  last_used_step bigint,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT physical_card_has_serial CHECK (kind = 'digital' OR serial_number IS NOT NULL),
  CONSTRAINT linked_card_dated CHECK ((aidant_id IS NULL) = (linked_at IS NULL)),
  CONSTRAINT validated_card_is_linked CHECK (validated_at IS NULL OR aidant_id IS NOT NULL)
);
CREATE UNIQUE INDEX cards_serial ON cards (serial_number) WHERE serial_number IS NOT NULL;
CREATE UNIQUE INDEX cards_one_per_aidant_and_kind ON cards (aidant_id, kind) WHERE aidant_id IS NOT NULL;

-- The welcome kit shipped to the structure for one aidant.
CREATE TABLE card_shipments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  onboarding_id uuid NOT NULL UNIQUE REFERENCES aidant_onboardings(id) ON DELETE RESTRICT,
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
  card_id uuid REFERENCES cards(id) ON DELETE RESTRICT,
  status text NOT NULL DEFAULT 'preparing' CHECK (status IN ('preparing','sent','delivered','lost','returned')),
  tracking_number text,
  sent_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT shipment_sent_has_tracking CHECK (status = 'preparing' OR tracking_number IS NOT NULL),
  CONSTRAINT shipment_delivered_dated CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);

-- Usagers and their mandats. Personal data is anonymised by retention, never deleted, so the journal stays attached.
CREATE TABLE usagers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  sub text NOT NULL UNIQUE,
  given_name text NOT NULL,
  family_name text NOT NULL,
  preferred_username text,
  gender text NOT NULL CHECK (gender IN ('female','male','unspecified')),
  birthdate text NOT NULL CHECK (birthdate ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  birthplace text,
  birthcountry text NOT NULL DEFAULT '99100',
  email text,
  phone text,
  anonymised_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE mandats (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id) ON DELETE RESTRICT,
  usager_id uuid NOT NULL REFERENCES usagers(id) ON DELETE RESTRICT,
  created_by_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  duration text NOT NULL CHECK (duration IN ('SHORT','MONTH','SEMESTER','LONG')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active','expired','revoked','superseded')),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  renewed_from_id uuid REFERENCES mandats(id) ON DELETE RESTRICT,
  template_hash text NOT NULL,
  attestation_hash text NOT NULL,
  CONSTRAINT mandat_expires_after_creation CHECK (expires_at > created_at),
  CONSTRAINT mandat_revoked_dated CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
);
CREATE INDEX mandats_organisation ON mandats (organisation_id, status);
CREATE INDEX mandats_usager ON mandats (usager_id);

CREATE TABLE autorisations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  mandat_id uuid NOT NULL REFERENCES mandats(id) ON DELETE RESTRICT,
  demarche text NOT NULL CHECK (demarche IN (${DEMARCHES})),
  revoked_at timestamptz,
  revoked_by_id uuid REFERENCES users(id) ON DELETE RESTRICT,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (mandat_id, demarche)
);

-- Transient state of the OIDC flows and of mandat creation; codes and tokens are stored hashed.
CREATE TABLE connections (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('idp','franceconnect_client','mandat_draft')),
  state text UNIQUE,
  nonce text,
  aidant_id uuid REFERENCES users(id) ON DELETE CASCADE,
  organisation_id uuid REFERENCES organisations(id) ON DELETE CASCADE,
  usager_id uuid REFERENCES usagers(id) ON DELETE CASCADE,
  demarches text[] CHECK (demarches <@ ARRAY[${DEMARCHES}]),
  duration text CHECK (duration IN ('SHORT','MONTH','SEMESTER','LONG')),
  demarche text CHECK (demarche IN (${DEMARCHES})),
  autorisation_id uuid REFERENCES autorisations(id) ON DELETE CASCADE,
  requested_scope text[],
  code_hash text UNIQUE,
  code_used_at timestamptz,
  access_token_hash text UNIQUE,
  expires_at timestamptz NOT NULL,
  complete boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT connection_aidant_with_organisation CHECK ((aidant_id IS NULL) = (organisation_id IS NULL))
);
CREATE INDEX connections_expires ON connections (expires_at);

-- Single-use login links for aidants (second factor after the card code).
CREATE TABLE login_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  next_url text,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Every e-mail is written here before it is sent; idempotency_key makes a retried activity a no-op.
CREATE TABLE email_outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key text NOT NULL UNIQUE,
  template text NOT NULL,
  recipients text[] NOT NULL CHECK (cardinality(recipients) >= 1),
  subject text NOT NULL,
  html text NOT NULL,
  text_body text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
  attempts integer NOT NULL DEFAULT 0,
  message_id text,
  last_error text,
  sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT sent_email_dated CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);

-- The journal: append-only, hash-chained.
CREATE TABLE journal (
  id bigserial PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  action text NOT NULL,
  actor_id uuid REFERENCES users(id) ON DELETE RESTRICT,
  organisation_id uuid REFERENCES organisations(id) ON DELETE RESTRICT,
  usager_id uuid REFERENCES usagers(id) ON DELETE RESTRICT,
  mandat_id uuid REFERENCES mandats(id) ON DELETE RESTRICT,
  autorisation_id uuid REFERENCES autorisations(id) ON DELETE RESTRICT,
  habilitation_request_id uuid REFERENCES habilitation_requests(id) ON DELETE RESTRICT,
  onboarding_id uuid REFERENCES aidant_onboardings(id) ON DELETE RESTRICT,
  demarches text[],
  duration_days integer,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  idempotency_key text UNIQUE,
  previous_hash text NOT NULL,
  hash text NOT NULL UNIQUE
);
CREATE INDEX journal_action ON journal (action, created_at);
CREATE INDEX journal_actor ON journal (actor_id, created_at);

-- The hash covers the previous hash and the entry's content; an advisory lock serialises the chain.
CREATE FUNCTION journal_entry_digest(previous text, entry journal) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws('|', previous, extract(epoch FROM entry.created_at)::text, entry.action,
    entry.actor_id::text, entry.organisation_id::text, entry.usager_id::text, entry.mandat_id::text,
    entry.autorisation_id::text, entry.habilitation_request_id::text, entry.onboarding_id::text,
    array_to_string(entry.demarches, ','), entry.duration_days::text, entry.details::text), 'UTF8')), 'hex')
$$;

-- The id is drawn under the lock too: ids drawn before it (the column default) could commit out of order.
CREATE FUNCTION journal_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('journal_chain'));
  NEW.id := nextval(pg_get_serial_sequence('journal', 'id'));
  SELECT hash INTO NEW.previous_hash FROM journal ORDER BY id DESC LIMIT 1;
  NEW.previous_hash := coalesce(NEW.previous_hash, 'genesis');
  NEW.created_at := clock_timestamp();
  NEW.hash := journal_entry_digest(NEW.previous_hash, NEW);
  RETURN NEW;
END $$;

CREATE FUNCTION journal_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the journal is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER journal_chain BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION journal_chain();
CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON journal FOR EACH ROW EXECUTE FUNCTION journal_refuse_change();
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse_change();

-- Sessions of the AdminJS back-office and of the public pages (connect-pg-simple layout).
CREATE TABLE http_sessions (
  sid varchar NOT NULL PRIMARY KEY,
  sess json NOT NULL,
  expire timestamp(6) NOT NULL
);
CREATE INDEX http_sessions_expire ON http_sessions (expire);
`;

const DOWN = `
DROP TABLE IF EXISTS http_sessions, journal, email_outbox, login_links, connections, autorisations, mandats, usagers,
  card_shipments, cards, aidant_onboardings, comite_decisions, request_messages, aidant_requests, habilitation_requests,
  issuer_email_confirmations, issuers, organisation_memberships, users, organisations CASCADE;
DROP FUNCTION IF EXISTS journal_chain(), journal_refuse_change(), journal_entry_digest(text, journal);
`;

export const { up, down } = sqlMigration(UP, DOWN);
