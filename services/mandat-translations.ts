// The translations of the mandat's text an aidant may print with the draft: published, and of the French
// text signed today (an outdated one is not offered: domain/mandat-translation.ts says why).
import { MandatTranslation } from '../db/models/index.js';
import { MANDAT_TEXT_VERSION } from '../domain/mandat.js';
import { LANGUAGE_CODE } from '../domain/mandat-translation.js';

/** The translations offered to aidants, by their French name. */
export function offeredTranslations(): Promise<MandatTranslation[]> {
  return MandatTranslation.findAll({ where: { isPublished: true, textVersion: MANDAT_TEXT_VERSION }, order: [['nameFr', 'ASC']] });
}

/** The offered translation for a language code, or null (unknown, unpublished or outdated). */
export async function findOfferedTranslation(languageCode: unknown): Promise<MandatTranslation | null> {
  if (typeof languageCode !== 'string' || !LANGUAGE_CODE.test(languageCode)) return null;
  return MandatTranslation.findOne({ where: { languageCode, isPublished: true, textVersion: MANDAT_TEXT_VERSION } });
}
