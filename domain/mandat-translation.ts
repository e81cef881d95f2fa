// Translations of the mandat's legal text, maintained by the ANCT in the back-office, that an aidant can
// print next to the French draft for a usager who reads another language. A translation says which version
// of the French text it translates: one of an older version is NOT offered to the aidant (a usager who cannot
// read French could not read a warning either, and would take the old wording for what they sign); the
// back-office shows it as « à mettre à jour » and refuses to publish it until it is.
import { MANDAT_TEXT_VERSION, MANDAT_TEXT_VERSIONS } from './mandat.js';

export const TEXT_DIRECTIONS = { ltr: 'De gauche à droite', rtl: 'De droite à gauche (arabe, persan, pachto…)' } as const;
export type TextDirection = keyof typeof TEXT_DIRECTIONS;
export const isTextDirection = (value: unknown): value is TextDirection => typeof value === 'string' && Object.hasOwn(TEXT_DIRECTIONS, value);

/** A BCP 47 tag as the project writes them: a 2–3 letter language, then optional script/region/variant subtags. */
export const LANGUAGE_CODE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
export const MAX_BODY_LENGTH = 50_000;
export const MAX_NAME_LENGTH = 100;

export interface TranslationInput {
  languageCode: string;
  nameFr: string;
  nameNative: string;
  direction: TextDirection;
  body: string;
  textVersion: string;
}

/** What the back-office form edits; publication is its own action (publicationError). */
export const TRANSLATION_FIELDS = ['languageCode', 'nameFr', 'nameNative', 'direction', 'textVersion', 'body'] as const;

/** Outdated: it translates another version of the French text than the one signed today. */
export const isOutdatedTranslation = (translation: { textVersion: string }): boolean => translation.textVersion !== MANDAT_TEXT_VERSION;

const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** The form of the back-office, checked: the values, or a French error per faulty field. */
export function parseTranslationInput(payload: Record<string, unknown>): { value?: TranslationInput; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const languageCode = str(payload.languageCode).trim();
  const nameFr = str(payload.nameFr).trim();
  const nameNative = str(payload.nameNative).trim();
  const direction = str(payload.direction).trim();
  // Line ends normalised; blank lines separate the paragraphs.
  const body = str(payload.body).replace(/\r\n?/g, '\n').trim();
  const textVersion = str(payload.textVersion).trim() || MANDAT_TEXT_VERSION;

  if (!LANGUAGE_CODE.test(languageCode)) {
    errors.languageCode = 'Indiquez le code de la langue au format BCP 47 : 2 ou 3 lettres minuscules, éventuellement suivies d’une précision (par exemple « en », « ar », « ps », « fa-AF », « gcf-GP »).';
  }
  if (!nameFr || nameFr.length > MAX_NAME_LENGTH) errors.nameFr = `Indiquez le nom de la langue en français (au plus ${MAX_NAME_LENGTH} caractères), par exemple « Anglais ».`;
  if (!nameNative || nameNative.length > MAX_NAME_LENGTH) errors.nameNative = `Indiquez le nom de la langue dans cette langue (au plus ${MAX_NAME_LENGTH} caractères), par exemple « English ».`;
  if (!isTextDirection(direction)) errors.direction = 'Choisissez le sens d’écriture : de gauche à droite, ou de droite à gauche (arabe, persan, pachto…).';
  if (!body) errors.body = 'Le texte traduit ne peut pas être vide : collez la traduction complète du mandat.';
  else if (body.length > MAX_BODY_LENGTH) errors.body = `Le texte traduit est trop long (au plus ${MAX_BODY_LENGTH.toLocaleString('fr-FR')} caractères).`;
  if (!MANDAT_TEXT_VERSIONS.includes(textVersion)) errors.textVersion = `Choisissez la version du texte français traduite (version en vigueur : ${MANDAT_TEXT_VERSION}).`;
  if (Object.keys(errors).length) return { errors };
  return { value: { languageCode, nameFr, nameNative, direction: direction as TextDirection, body, textVersion }, errors };
}

/** Why a translation cannot be published (null when it can): only a translation of the text in force. */
export function publicationError(translation: { textVersion: string }): string | null {
  return isOutdatedTranslation(translation)
    ? `Cette traduction porte sur la version ${translation.textVersion} du texte du mandat, la version en vigueur est ${MANDAT_TEXT_VERSION} : mettez la traduction à jour (texte et version) avant de la publier.`
    : null;
}

/** « Texte en vigueur », or what the ANCT must do: the back-office's list and page. */
export const translationCurrentness = (translation: { textVersion: string }): string =>
  (isOutdatedTranslation(translation) ? `À mettre à jour : traduit la version ${translation.textVersion}, non proposée aux aidants` : 'Traduit le texte en vigueur');

/** The paragraphs of a translated text (separated by blank lines; single line breaks kept inside). */
export const translationParagraphs = (body: string): string[][] =>
  body.replace(/\r\n?/g, '\n').split(/\n\s*\n/).map((p) => p.split('\n').map((line) => line.trim()).filter(Boolean)).filter((p) => p.length > 0);
