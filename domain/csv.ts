// The CSV dialect of every back-office export (the journal, aidants, structures, requests): what Excel opens as
// is in a French locale, with the escaping that keeps a cell a cell and a formula text.

/** Semicolons: what Excel expects in French locales. */
export const CSV_SEPARATOR = ';';
/** The UTF-8 byte order mark: without it Excel reads the file as Windows-1252 and garbles the accents. */
export const CSV_BOM = '\uFEFF';

/**
 * One CSV field: always quoted (quotes doubled), so separators and line breaks inside stay in the field; a
 * value a spreadsheet would run as a formula (= + - @, tab, carriage return first) gets a leading apostrophe.
 */
export function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvLine(fields: readonly unknown[]): string {
  return `${fields.map(csvField).join(CSV_SEPARATOR)}\r\n`;
}

/** « Oui » / « Non » (an empty cell for an unknown value). */
export function yesNo(value: boolean | null | undefined): string {
  return value === null || value === undefined ? '' : value ? 'Oui' : 'Non';
}

/** The day in Paris as YYYY-MM-DD, for a downloaded file's name. */
export function fileDay(now: Date): string {
  return new Intl.DateTimeFormat('fr-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
