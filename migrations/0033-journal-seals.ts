// The journal's hash chain, sealed after commit instead of under a global lock.
//
// Until now each insert took one advisory lock (migration 0001), held until its transaction committed, WAL
// flush included, to chain the entry to the previous one: every journaled write of the service waited for
// every other one, and a transaction that journaled early held all the others until its end.
//
// Now an entry is inserted unchained and queued (journal_unsealed, in the same transaction: it is queued if
// and only if it is committed). A sealer, one at a time (a try-lock), chains the committed entries of the
// queue in a table of their own, in the order it seals them: journal_seals(position, entry, previous hash,
// hash), append-only like the journal. The chain's order is the seal order, so a late commit with a smaller id
// is sealed after a larger one, never lost. The worker seals every second (services/journal-seal.ts); the
// verification and the export seal what is pending before they read.
//
// Between commit and seal (about a second) an entry is protected by the append-only triggers only, as it was
// by the chain alone against anyone able to disable them. A queue row deleted by hand leaves an entry neither
// sealed nor pending: the verification reports it.
import { sqlMigration } from './sql-migration.js';

const UP = `
CREATE TABLE journal_seals (
  position bigint PRIMARY KEY CHECK (position > 0),
  entry_id bigint NOT NULL UNIQUE REFERENCES journal(id) ON DELETE RESTRICT,
  previous_hash text NOT NULL,
  hash text NOT NULL UNIQUE,
  sealed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- The chain so far, as it was: in id order (ids were drawn under the lock).
INSERT INTO journal_seals (position, entry_id, previous_hash, hash, sealed_at)
  SELECT row_number() OVER (ORDER BY id), id, previous_hash, hash, created_at FROM journal;
CREATE TRIGGER journal_seals_append_only BEFORE UPDATE OR DELETE ON journal_seals FOR EACH ROW EXECUTE FUNCTION journal_refuse_change();
CREATE TRIGGER journal_seals_no_truncate BEFORE TRUNCATE ON journal_seals FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse_change();

CREATE TABLE journal_unsealed (
  entry_id bigint PRIMARY KEY REFERENCES journal(id) ON DELETE RESTRICT
);

DROP TRIGGER journal_chain ON journal;
DROP FUNCTION journal_chain();
ALTER TABLE journal DROP COLUMN previous_hash, DROP COLUMN hash;

-- The id and the date are the database's, whatever the insert says.
CREATE FUNCTION journal_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.id := nextval(pg_get_serial_sequence('journal', 'id'));
  NEW.created_at := clock_timestamp();
  RETURN NEW;
END $$;
CREATE TRIGGER journal_stamp BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION journal_stamp();

-- After the insert (an ON CONFLICT DO NOTHING that inserted nothing queues nothing).
CREATE FUNCTION journal_enqueue_seal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO journal_unsealed (entry_id) VALUES (NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER journal_enqueue_seal AFTER INSERT ON journal FOR EACH ROW EXECUTE FUNCTION journal_enqueue_seal();

-- Seals up to max_entries committed entries of the queue (all of them when NULL), in id order, and returns how
-- many; NULL when another sealer holds the lock and wait_for_lock is false. Each statement of the function sees
-- what committed before it ran (READ COMMITTED), so the last seal is read once the lock is held.
CREATE FUNCTION journal_seal(max_entries integer, wait_for_lock boolean) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  last_position bigint;
  previous text;
  entry journal;
  sealed integer := 0;
BEGIN
  IF wait_for_lock THEN
    PERFORM pg_advisory_xact_lock(hashtext('journal_seal'));
  ELSIF NOT pg_try_advisory_xact_lock(hashtext('journal_seal')) THEN
    RETURN NULL;
  END IF;
  SELECT s.position, s.hash INTO last_position, previous FROM journal_seals s ORDER BY s.position DESC LIMIT 1;
  last_position := coalesce(last_position, 0);
  previous := coalesce(previous, 'genesis');
  FOR entry IN
    SELECT j.* FROM journal_unsealed u JOIN journal j ON j.id = u.entry_id ORDER BY u.entry_id LIMIT max_entries
  LOOP
    last_position := last_position + 1;
    INSERT INTO journal_seals (position, entry_id, previous_hash, hash)
      VALUES (last_position, entry.id, previous, journal_entry_digest(previous, entry))
      RETURNING hash INTO previous;
    DELETE FROM journal_unsealed WHERE entry_id = entry.id;
    sealed := sealed + 1;
  END LOOP;
  RETURN sealed;
END $$;
`;

// Back to the chain on the entries: what is pending is sealed first, then each entry gets its seal's hashes
// back (copied, not recomputed: a recomputation would bless an entry changed since). Entries sealed out of id
// order (a late commit) then read as a broken link to the old verification: the price of going back.
const DOWN = `
SELECT journal_seal(NULL, true);
ALTER TABLE journal ADD COLUMN previous_hash text, ADD COLUMN hash text;
ALTER TABLE journal DISABLE TRIGGER journal_append_only;
UPDATE journal j SET previous_hash = s.previous_hash, hash = s.hash FROM journal_seals s WHERE s.entry_id = j.id;
ALTER TABLE journal ENABLE TRIGGER journal_append_only;
ALTER TABLE journal ALTER COLUMN previous_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL, ADD CONSTRAINT journal_hash_key UNIQUE (hash);
DROP FUNCTION journal_seal(integer, boolean);
DROP TRIGGER journal_enqueue_seal ON journal;
DROP FUNCTION journal_enqueue_seal();
DROP TRIGGER journal_stamp ON journal;
DROP FUNCTION journal_stamp();
DROP TABLE journal_unsealed;
DROP TABLE journal_seals;
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
CREATE TRIGGER journal_chain BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION journal_chain();
`;

export const { up, down } = sqlMigration(UP, DOWN);
