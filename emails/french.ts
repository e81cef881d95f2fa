// French wording helpers shared by every template: elision of « de » before a name, and dates as people in
// France read them (Europe/Paris), from the ISO 8601 strings that template data carries.
import { frenchDate, frenchDateTime } from '../domain/duration.js';

// A vowel (accented or not) or a mute h elides « de »; a y elides only before a consonant (d’Yves, de Yannick).
const ELIDING = /^(?:[aeiouàâäéèêëîïôöùûüœæh]|y[^aeiouàâäéèêëîïôöùûü])/i;

/** « de Léa », « d’Amélie », « d’Hélène »: the preposition before a name, elided when French elides it. */
export const de = (name: string): string => (ELIDING.test(name.trim()) ? `d’${name.trim()}` : `de ${name.trim()}`);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function parseIso(value: string): Date | undefined {
  if (!ISO_DATE.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * An ISO 8601 date of template data as a French date in Paris time (30/11/2026). A value that is not ISO
 * is shown as given: workflows started before the ISO contract passed dates already formatted.
 */
export const dateFr = (value: string): string => {
  const date = parseIso(value);
  return date ? frenchDate(date) : value;
};

/** An ISO 8601 instant as a French date and time in Paris time (30/11/2026 à 01:15). */
export const dateTimeFr = (value: string): string => {
  const date = parseIso(value);
  return date ? frenchDateTime(date) : value;
};
