// The CSV of physical cards the ANCT imports into the stock (pure: the service checks the stock and inserts).
//
// Accepted format, one card per line:
//   serial_number,seed
//   GADT0000042,3132333435363738393031323334353637383930
// - an optional header line `serial_number,seed` (any case) as the first line;
// - two columns separated by a comma, a semicolon (a spreadsheet saved in French) or a tab; each value may be
//   surrounded by spaces or double quotes; lines end with LF or CRLF; a UTF-8 byte order mark is ignored;
// - the serial number: 4 to 32 letters, digits or hyphens, upper-cased (« gadt-0042 » is GADT-0042);
// - the seed: the card's TOTP key in hexadecimal, 32 to 128 digits in whole bytes (an even number; the usual
//   cards have 40, a 160-bit key), any case;
// - the file's last line may end with a line break; any other empty line is an error.
// A file with any faulty line is refused as a whole, and every faulty line is named with its number.

import { SERIAL_PATTERN } from './cards.js';

export const CARD_IMPORT_MAX_BYTES = 2_000_000;

export const CARD_IMPORT_HEADER = ['serial_number', 'seed'] as const;

const SEED = /^(?:[0-9a-f]{2}){16,64}$/;

export interface ImportedCard {
  /** The line of the file (1 = the first line, the header counted). */
  line: number;
  serialNumber: string;
  /** Lower-case hexadecimal. */
  seedHex: string;
}

/** A faulty line (or the whole file: line null), with the reason in French. */
export interface CardImportError {
  line: number | null;
  message: string;
}

export interface CardImportParse {
  cards: ImportedCard[];
  errors: CardImportError[];
}

/** A value as shown in an error: never a whole line of garbage. */
const shown = (value: string) => (value.length > 40 ? `${value.slice(0, 40)}…` : value);

const unquote = (value: string) => {
  const trimmed = value.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).trim() : trimmed;
};

function seedError(seed: string): string | null {
  if (SEED.test(seed)) return null;
  if (seed === '') return 'graine absente';
  if (!/^[0-9a-f]*$/.test(seed)) return 'graine mal formée : seuls les chiffres 0 à 9 et les lettres A à F sont acceptés (hexadécimal)';
  return `graine mal formée : ${seed.length} caractères hexadécimaux, il en faut un nombre pair entre 32 et 128 (40 pour les cartes habituelles)`;
}

function serialError(serial: string): string | null {
  if (SERIAL_PATTERN.test(serial)) return null;
  if (serial === '') return 'numéro de série absent';
  return `numéro de série « ${shown(serial)} » mal formé : 4 à 32 lettres, chiffres ou tirets`;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function parseCardCsv(text: string): CardImportParse {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop(); // the line break ending the last line (or an empty file)
  const cards: ImportedCard[] = [];
  const errors: CardImportError[] = [];
  const firstLineOf = new Map<string, number>();

  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') {
      errors.push({ line, message: 'Ligne vide : supprimez-la ou complétez-la.' });
      return;
    }
    const fields = raw.split(/[,;\t]/).map(unquote);
    if (index === 0 && fields.length === 2 && fields.every((field, i) => field.toLowerCase() === CARD_IMPORT_HEADER[i])) return;
    if (fields.length !== 2) {
      errors.push({ line, message: `Nombre de colonnes incorrect : 2 attendues (numéro de série, graine), ${fields.length} trouvée${fields.length > 1 ? 's' : ''}.` });
      return;
    }
    const serialNumber = fields[0].toUpperCase();
    const seedHex = fields[1].toLowerCase();
    const problems = [serialError(serialNumber), seedError(seedHex)].filter((problem): problem is string => problem !== null);
    const first = firstLineOf.get(serialNumber);
    if (problems.length === 0 && first !== undefined) problems.push(`numéro de série ${serialNumber} en double dans le fichier (déjà ligne ${first})`);
    if (problems.length > 0) {
      errors.push({ line, message: `${capitalised(problems.join(' ; '))}.` });
      return;
    }
    firstLineOf.set(serialNumber, line);
    cards.push({ line, serialNumber, seedHex });
  });
  if (cards.length === 0 && errors.length === 0) errors.push({ line: null, message: 'Le fichier ne contient aucune carte.' });
  return { cards, errors };
}

/** The error of a card already in the stock. */
export const alreadyInStock = (card: ImportedCard): CardImportError => ({ line: card.line, message: `La carte ${card.serialNumber} est déjà dans le stock.` });

/** The errors of a file, line by line, as the back-office shows them. */
export function describeImportError(error: CardImportError): string {
  return error.line === null ? error.message : `Ligne ${error.line} : ${error.message}`;
}
