// Translations of the mandat's legal text, maintained by the ANCT in the back-office (one per language) and
// printed next to the French draft before signing. The checks repeat what the back-office validates, as a
// last guard: a BCP 47 code, a direction, a non-empty text.
import { sqlMigration } from './sql-migration.js';

const UP = `
CREATE TABLE mandat_translations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  language_code text NOT NULL CHECK (language_code ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
  name_fr text NOT NULL CHECK (length(trim(name_fr)) BETWEEN 1 AND 100),
  name_native text NOT NULL CHECK (length(trim(name_native)) BETWEEN 1 AND 100),
  direction text NOT NULL DEFAULT 'ltr' CHECK (direction IN ('ltr','rtl')),
  body text NOT NULL CHECK (length(trim(body)) BETWEEN 1 AND 50000),
  -- the version of the French text (MANDAT_TEXT_VERSION) this text translates
  text_version text NOT NULL,
  is_published boolean NOT NULL DEFAULT false,
  created_by_id uuid REFERENCES users(id) ON DELETE RESTRICT,
  updated_by_id uuid REFERENCES users(id) ON DELETE RESTRICT,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX mandat_translations_language ON mandat_translations (lower(language_code));
`;

const DOWN = `
DROP TABLE IF EXISTS mandat_translations;
`;

export const { up, down } = sqlMigration(UP, DOWN);
