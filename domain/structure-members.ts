// The rules of the espace référent that need no database: the French refusals of §6, the add-aidants form
// (aidants to train, an aidant already trained), the structure's démarches. Pages, services and the back-office
// share them.
import { DEMARCHE_KEYS, isDemarche, type Demarche } from './demarches.js';
import { AIDANT_ROWS, MAX_AIDANTS, emailError, type FieldErrors, type Parsed } from './habilitation-form.js';

export const REFUSALS = {
  notOneself: 'Vous ne pouvez pas effectuer cette action sur votre propre compte : demandez-le à un autre référent de la structure.',
  alreadyMember: 'Cette personne est déjà membre de votre structure.',
  alreadyAsked: 'Une demande d’habilitation est déjà en cours pour cette adresse dans votre structure.',
  unknownOrNotHabilitated: 'L’adresse e-mail est erronée ou l’aidant n’est pas habilité à Aidants Connect. Vérifiez l’adresse, ou ajoutez cette personne comme aidant à former.',
  referentOnly: 'Ce compte est celui d’un référent non aidant : il ne peut pas être ajouté comme aidant habilité.',
  changeAlreadyAsked: 'Une demande de changement de structure est déjà en cours pour cet aidant.',
  atLeastOneDemarche: 'Vous devez choisir au moins une démarche.',
  alreadyDeactivated: 'Ce profil aidant est déjà désactivé dans votre structure.',
  alreadyActive: 'Ce profil aidant est déjà actif dans votre structure.',
  notACandidate: 'Choisissez un aidant actif de votre structure qui n’est pas encore référent.',
  eligibilityNotAwaited: 'Cette demande n’attend pas de décision d’éligibilité.',
  changeNotPending: 'Cette demande de changement de structure a déjà été traitée.',
} as const;

export const REQUESTS_RECORDED = 'Votre ou vos demande(s) ont été enregistrées avec succès.';

/** The référent's first answer in the add-aidants form. */
export const ADD_PROFILES = {
  untrained: 'Un ou plusieurs aidants qui n’ont pas encore suivi la formation Aidants Connect',
  trained: 'Un aidant déjà formé et habilité dans une autre structure',
} as const;
export type AddProfile = keyof typeof ADD_PROFILES;
export const isAddProfile = (value: unknown): value is AddProfile => typeof value === 'string' && Object.hasOwn(ADD_PROFILES, value);

export const STRUCTURE_CHANGE_STATUSES = {
  pending: 'En attente de la décision de l’ANCT',
  accepted: 'Acceptée',
  refused: 'Refusée',
  cancelled: 'Annulée',
} as const;
export type StructureChangeStatus = keyof typeof STRUCTURE_CHANGE_STATUSES;
export const STRUCTURE_CHANGE_STATUS_KEYS = Object.keys(STRUCTURE_CHANGE_STATUSES) as StructureChangeStatus[];

export interface NewAidant {
  firstName: string;
  lastName: string;
  email: string;
  profession: string;
  conseillerNumerique: boolean;
}

const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** How many rows the aidants-to-train form had (a button adds one without JavaScript). */
export function newAidantRowsOf(body: Record<string, unknown>): number {
  const rows = Number.parseInt(str(body.rows), 10);
  return Number.isInteger(rows) && rows >= 1 ? Math.min(rows, MAX_AIDANTS) : AIDANT_ROWS;
}

/** The field of one row of the aidants-to-train form. */
export const rowField = (row: number, name: keyof NewAidant) => `aidant${row}_${name}`;

/**
 * The aidants to train typed by the référent: blank rows ignored, every field required in a row begun, one
 * e-mail per aidant. Addresses already in the structure are checked against the database by the service.
 */
export function parseNewAidants(body: Record<string, unknown>): Parsed<NewAidant[]> & { rows: number[] } {
  const errors: FieldErrors = {};
  const aidants: NewAidant[] = [];
  const rows: number[] = [];
  const seen = new Set<string>();
  for (let row = 1; row <= newAidantRowsOf(body); row += 1) {
    const field = (name: keyof NewAidant) => rowField(row, name);
    const values = {
      firstName: str(body[field('firstName')]), lastName: str(body[field('lastName')]),
      email: str(body[field('email')]).toLowerCase(), profession: str(body[field('profession')]),
    };
    if (!Object.values(values).some(Boolean)) continue;
    for (const [name, label] of [['firstName', 'le prénom'], ['lastName', 'le nom'], ['profession', 'la profession']] as const) {
      if (!values[name]) errors[field(name)] = `Veuillez renseigner ${label} de l’aidant.`;
      else if (values[name].length > 200) errors[field(name)] = 'Ce champ ne peut pas dépasser 200 caractères.';
    }
    if (!values.email || emailError(values.email) || values.email.length > 200) errors[field('email')] = 'Veuillez saisir une adresse e-mail valide pour cet aidant.';
    else if (seen.has(values.email)) errors[field('email')] = 'Chaque aidant doit avoir une adresse e-mail différente.';
    seen.add(values.email);
    const conseiller = body[field('conseillerNumerique')];
    aidants.push({ ...values, conseillerNumerique: conseiller === 'on' || conseiller === 'true' });
    rows.push(row);
  }
  if (aidants.length === 0) errors.aidants = 'Indiquez au moins un aidant à former.';
  return Object.keys(errors).length > 0 ? { errors, rows } : { value: aidants, errors, rows };
}

/** The e-mail of an aidant already trained elsewhere. */
export function parseTrainedEmail(body: Record<string, unknown>): Parsed<string> {
  const email = str(body.email).toLowerCase();
  if (!email) return { errors: { email: 'Veuillez renseigner l’adresse e-mail de l’aidant.' } };
  if (emailError(email) || email.length > 200) return { errors: { email: 'Veuillez saisir une adresse e-mail valide, par exemple nom@exemple.fr.' } };
  return { value: email, errors: {} };
}

/** The démarches a structure allows (a multiple checkbox), in the canonical order; at least one. */
export function parseDemarches(value: unknown): Parsed<Demarche[]> {
  const chosen = new Set((Array.isArray(value) ? value : [value]).filter(isDemarche));
  const demarches = DEMARCHE_KEYS.filter((key) => chosen.has(key));
  return demarches.length === 0 ? { errors: { demarches: REFUSALS.atLeastOneDemarche } } : { value: demarches, errors: {} };
}

/** The motif of a refusal by the ANCT, e-mailed to the référents: between 3 and 500 characters. */
export function refusalReasonError(reason: unknown): string | null {
  const length = typeof reason === 'string' ? reason.trim().length : 0;
  return length < 3 || length > 500 ? 'Indiquez le motif du refus (entre 3 et 500 caractères).' : null;
}
