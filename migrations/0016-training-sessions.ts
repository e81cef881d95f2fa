// Training sessions published by the ANCT, and the registrations of aidants to train (onboardings) made by
// their référents. The database keeps the rules that must hold whatever writes: a session ends after it
// starts and has places; an onboarding has at most one active registration; a registration is cancelled or
// attended, never both; and no session holds more active registrations than its capacity, nor accepts one
// while closed (a trigger counts them under a lock on the session row, so concurrent inserts wait in turn).
import { sqlMigration } from './sql-migration.js';

const UP = `
CREATE TABLE training_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  mode text NOT NULL CHECK (mode IN ('in_person','online')),
  -- the address of the place, or the link and instructions of an online session
  location text NOT NULL CHECK (length(trim(location)) BETWEEN 3 AND 1000),
  capacity integer NOT NULL CHECK (capacity > 0 AND capacity <= 1000),
  is_open boolean NOT NULL DEFAULT true,
  created_by_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT training_session_ends_after_start CHECK (ends_at > starts_at)
);
CREATE INDEX training_sessions_starts_at ON training_sessions (starts_at);

CREATE TABLE training_registrations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES training_sessions(id) ON DELETE RESTRICT,
  onboarding_id uuid NOT NULL REFERENCES aidant_onboardings(id) ON DELETE RESTRICT,
  registered_by_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
  created_at timestamptz NOT NULL DEFAULT now(),
  cancelled_at timestamptz,
  cancelled_by_id uuid REFERENCES users(id) ON DELETE RESTRICT,
  attendance_recorded_at timestamptz,
  attendance_recorded_by_id uuid REFERENCES users(id) ON DELETE RESTRICT,
  CONSTRAINT training_registration_cancelled_by CHECK ((cancelled_at IS NULL) = (cancelled_by_id IS NULL)),
  CONSTRAINT training_registration_attendance_by CHECK ((attendance_recorded_at IS NULL) = (attendance_recorded_by_id IS NULL)),
  CONSTRAINT training_registration_attended_is_active CHECK (attendance_recorded_at IS NULL OR cancelled_at IS NULL)
);
CREATE UNIQUE INDEX training_registrations_one_active ON training_registrations (onboarding_id) WHERE cancelled_at IS NULL;
CREATE INDEX training_registrations_session ON training_registrations (session_id) WHERE cancelled_at IS NULL;

CREATE FUNCTION training_registration_fits() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target training_sessions%ROWTYPE;
  taken integer;
BEGIN
  IF NEW.cancelled_at IS NOT NULL THEN RETURN NEW; END IF;
  IF TG_OP = 'UPDATE' AND OLD.cancelled_at IS NULL AND OLD.session_id = NEW.session_id THEN RETURN NEW; END IF;
  SELECT * INTO target FROM training_sessions WHERE id = NEW.session_id FOR UPDATE;
  IF NOT target.is_open THEN
    RAISE EXCEPTION 'training session % is closed', NEW.session_id USING ERRCODE = 'check_violation', CONSTRAINT = 'training_session_open';
  END IF;
  SELECT count(*) INTO taken FROM training_registrations
    WHERE session_id = NEW.session_id AND cancelled_at IS NULL AND id <> NEW.id;
  IF taken >= target.capacity THEN
    RAISE EXCEPTION 'training session % is full', NEW.session_id USING ERRCODE = 'check_violation', CONSTRAINT = 'training_session_capacity';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER training_registration_fits BEFORE INSERT OR UPDATE ON training_registrations
  FOR EACH ROW EXECUTE FUNCTION training_registration_fits();

CREATE FUNCTION training_session_capacity_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.capacity < (SELECT count(*) FROM training_registrations WHERE session_id = NEW.id AND cancelled_at IS NULL) THEN
    RAISE EXCEPTION 'training session % has more registrations than %', NEW.id, NEW.capacity USING ERRCODE = 'check_violation', CONSTRAINT = 'training_session_capacity';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER training_session_capacity_kept BEFORE UPDATE OF capacity ON training_sessions
  FOR EACH ROW EXECUTE FUNCTION training_session_capacity_kept();
`;

const DOWN = `
DROP TABLE IF EXISTS training_registrations, training_sessions CASCADE;
DROP FUNCTION IF EXISTS training_registration_fits(), training_session_capacity_kept();
`;

export const { up, down } = sqlMigration(UP, DOWN);
