// Validation of the public habilitation request, one parser per step of the form (demandeur, structure,
// référent, aidants, engagements), shared by the pages, the services and the tests. Each parser returns
// French messages keyed by field name; nothing here touches the database.
import { isValidSiret, normalizeSiret } from './siret.js';
import { PLEDGE_KEYS, STRUCTURE_TYPE_KEYS, type Pledge, type StructureType } from './habilitation.js';

export type FieldErrors = Record<string, string>;
export interface Parsed<T> { value?: T; errors: FieldErrors }

export interface IssuerInput {
  firstName: string;
  lastName: string;
  email: string;
  profession: string;
  phone: string | null;
}

export interface StructureInput {
  name: string;
  type: StructureType;
  typeOther: string | null;
  siret: string;
  address: string;
  zipcode: string;
  city: string;
  /** Set exactly when the structure is labelled France Services. */
  franceServicesNumber: string | null;
  webSite: string | null;
  /** Required except for associations, as in the reference service. */
  missionDescription: string | null;
}

export interface ReferentInput {
  firstName: string;
  lastName: string;
  email: string;
  /** A mobile phone: the référent receives codes on it. */
  phone: string;
  profession: string;
  /** The référent will also be an aidant (and follow the training). */
  isAidant: boolean;
}

export interface AidantToTrain {
  firstName: string;
  lastName: string;
  email: string;
  profession: string;
}

export type Pledges = Record<Pledge, boolean>;

/** Rows shown on the aidants step when nothing is saved yet, and the most one request may list. */
export const AIDANT_ROWS = 3;
export const MAX_AIDANTS = 50;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
const PHONE = /^(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}$/;
const MOBILE = /^(?:\+33\s?|0)[67](?:[\s.-]?\d{2}){4}$/;
const FRANCE_SERVICES_NUMBER = /^[A-Za-z0-9][A-Za-z0-9-]{0,29}$/;
const WEB_SITE = /^https?:\/\/[^\s/$.?#][^\s]*\.[^\s]{2,}$/i;
const INVALID_EMAIL = 'Veuillez saisir une adresse e-mail valide, par exemple nom@exemple.fr.';
/** The French message for an e-mail address that does not look like one, or null. */
export const emailError = (value: string): string | null => (EMAIL.test(value) ? null : INVALID_EMAIL);
const checked = (value: unknown) => value === 'on' || value === 'true';
const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** Department code from a French postal code (Corsica and overseas included). */
export function departmentFromZipcode(zipcode: string): string {
  if (zipcode.startsWith('97')) return zipcode.slice(0, 3);
  if (zipcode.startsWith('20')) return Number(zipcode) < 20200 ? '2A' : '2B';
  return zipcode.slice(0, 2);
}

/** Reads fields of a posted form, collecting one French message per invalid field. */
function reader(body: Record<string, unknown>) {
  const errors: FieldErrors = {};
  const optional = (field: string, max = 200): string => {
    const value = str(body[field]);
    if (value.length > max) errors[field] = `Ce champ ne peut pas dépasser ${max} caractères.`;
    return value;
  };
  const required = (field: string, label: string, max = 200): string => {
    const value = optional(field, max);
    if (!value) errors[field] = `Veuillez renseigner ${label}.`;
    return value;
  };
  const email = (field: string, label: string): string => {
    const value = required(field, label).toLowerCase();
    if (value && !errors[field] && emailError(value)) errors[field] = INVALID_EMAIL;
    return value;
  };
  const done = <T>(value: T): Parsed<T> => (Object.keys(errors).length > 0 ? { errors } : { value, errors });
  return { errors, optional, required, email, done };
}

/** Step 1: the demandeur, who confirms their e-mail before anything else. */
export function parseIssuer(body: Record<string, unknown>): Parsed<IssuerInput> {
  const { errors, optional, required, email, done } = reader(body);
  const firstName = required('firstName', 'votre prénom');
  const lastName = required('lastName', 'votre nom');
  const address = email('email', 'votre adresse e-mail');
  const profession = required('profession', 'votre profession');
  const phone = optional('phone', 30);
  if (phone && !errors.phone && !PHONE.test(phone)) errors.phone = 'Veuillez saisir un numéro de téléphone français, par exemple 01 23 45 67 89.';
  return done({ firstName, lastName, email: address, profession, phone: phone || null });
}

/** Step 2: the structure asking for the habilitation. */
export function parseStructure(body: Record<string, unknown>): Parsed<StructureInput> {
  const { errors, optional, required, done } = reader(body);
  const name = required('name', 'le nom de la structure');
  const type = str(body.type) as StructureType;
  if (!(STRUCTURE_TYPE_KEYS as string[]).includes(type)) errors.type = 'Veuillez choisir le type de structure.';
  const typeOther = type === 'autre' ? required('typeOther', 'le type de structure') : null;

  const siret = normalizeSiret(str(body.siret));
  if (!siret) errors.siret = 'Veuillez renseigner le numéro SIRET de la structure.';
  else if (!/^\d{14}$/.test(siret)) errors.siret = 'Le numéro SIRET doit comporter 14 chiffres.';
  else if (!isValidSiret(siret)) errors.siret = 'Ce numéro SIRET n’est pas valide : vérifiez les 14 chiffres.';

  const address = required('address', 'l’adresse de la structure', 300);
  const zipcode = required('zipcode', 'le code postal');
  if (zipcode && !/^\d{5}$/.test(zipcode)) errors.zipcode = 'Le code postal doit comporter 5 chiffres.';
  const city = required('city', 'la commune');

  const labelled = checked(body.franceServicesLabel);
  const franceServicesNumber = labelled ? required('franceServicesNumber', 'le numéro de labellisation France Services', 30) : null;
  // A number without the label is a contradiction to resolve, not a detail to drop silently.
  if (!labelled && str(body.franceServicesNumber)) {
    errors.franceServicesNumber = 'Un numéro de labellisation n’est possible que pour une structure labellisée France Services : cochez la case ou effacez le numéro.';
  }
  if (franceServicesNumber && !errors.franceServicesNumber && !FRANCE_SERVICES_NUMBER.test(franceServicesNumber)) {
    errors.franceServicesNumber = 'Le numéro de labellisation ne contient que des chiffres, des lettres et des tirets.';
  }
  const webSite = optional('webSite', 300);
  if (webSite && !errors.webSite && !WEB_SITE.test(webSite)) errors.webSite = 'Veuillez saisir l’adresse complète du site, par exemple https://www.mairie-exemple.fr.';
  const missionDescription = type === 'association'
    ? optional('missionDescription', 2000)
    : required('missionDescription', 'les missions de la structure', 2000);
  return done({ name, type, typeOther, siret, address, zipcode, city, franceServicesNumber, webSite: webSite || null, missionDescription: missionDescription || null });
}

/** Step 3: the référent; « c'est moi » takes the demandeur's identity, the mobile phone is always asked. */
export function parseReferent(body: Record<string, unknown>, issuer: Omit<IssuerInput, 'phone'>): Parsed<ReferentInput> {
  const { errors, required, email, done } = reader(body);
  const isIssuer = checked(body.referentIsIssuer);
  const identity = isIssuer
    ? { firstName: issuer.firstName, lastName: issuer.lastName, email: issuer.email, profession: issuer.profession }
    : {
      firstName: required('firstName', 'le prénom du référent'), lastName: required('lastName', 'le nom du référent'),
      email: email('email', 'l’adresse e-mail du référent'), profession: required('profession', 'la profession du référent'),
    };
  const phone = required('phone', 'le numéro de téléphone mobile du référent', 30);
  if (phone && !errors.phone && !MOBILE.test(phone)) errors.phone = 'Veuillez saisir un numéro de téléphone mobile, par exemple 06 12 34 56 78.';
  return done({ ...identity, phone, isAidant: checked(body.isAidant) });
}

/** How many aidant rows a posted aidants step had (the page can add rows without JavaScript). */
export function aidantRowsOf(body: Record<string, unknown>): number {
  const rows = Number.parseInt(str(body.rows), 10);
  return Number.isInteger(rows) && rows >= 1 ? Math.min(rows, MAX_AIDANTS) : AIDANT_ROWS;
}

/** Step 4: the aidants to train; blank rows are ignored, e-mails are unique in the request. */
export function parseAidants(body: Record<string, unknown>, referent: { email: string; isAidant: boolean }): Parsed<AidantToTrain[]> {
  const { errors, done } = reader(body);
  const aidants: AidantToTrain[] = [];
  const seen = new Set<string>();
  for (let row = 1; row <= aidantRowsOf(body); row += 1) {
    const field = (name: string) => `aidant${row}_${name}`;
    const values = { firstName: str(body[field('firstName')]), lastName: str(body[field('lastName')]), email: str(body[field('email')]).toLowerCase(), profession: str(body[field('profession')]) };
    if (!Object.values(values).some(Boolean)) continue;
    for (const [name, label] of [['firstName', 'le prénom'], ['lastName', 'le nom'], ['profession', 'la profession']] as const) {
      if (!values[name]) errors[field(name)] = `Veuillez renseigner ${label} de l’aidant.`;
      else if (values[name].length > 200) errors[field(name)] = 'Ce champ ne peut pas dépasser 200 caractères.';
    }
    if (!EMAIL.test(values.email)) errors[field('email')] = 'Veuillez saisir une adresse e-mail valide pour cet aidant.';
    else if (values.email === referent.email) errors[field('email')] = 'C’est l’adresse du référent : à l’étape précédente, cochez plutôt « Le référent sera aussi aidant ».';
    else if (seen.has(values.email)) errors[field('email')] = 'Chaque aidant doit avoir une adresse e-mail différente.';
    seen.add(values.email);
    aidants.push(values);
  }
  if (aidants.length === 0 && !referent.isAidant) {
    errors.aidants = 'Indiquez au moins un aidant à former, ou revenez à l’étape précédente pour indiquer que le référent sera aussi aidant.';
  }
  return done(aidants);
}

/** Step 5: the five pledges, all mandatory to submit. */
export function parsePledges(body: Record<string, unknown>): Parsed<Pledges> {
  const { errors, done } = reader(body);
  const pledges = Object.fromEntries(PLEDGE_KEYS.map((key) => [key, checked(body[`pledge_${key}`])])) as Pledges;
  for (const key of PLEDGE_KEYS) {
    if (!pledges[key]) errors[`pledge_${key}`] = 'Cet engagement est obligatoire pour soumettre la demande.';
  }
  return done(pledges);
}

/** The steps of a request after the demandeur's own, in order; each has its page under the request's link. */
export const REQUEST_STEPS = {
  structure: 'La structure',
  referent: 'Le ou la référente',
  aidants: 'Les aidants à former',
  envoi: 'Engagements et envoi',
} as const;
export type RequestStep = keyof typeof REQUEST_STEPS;
export const REQUEST_STEP_KEYS = Object.keys(REQUEST_STEPS) as RequestStep[];

/** The first step still to fill in for a stored draft, or 'envoi' when only the pledges and submission remain. */
export function firstIncompleteStep(draft: { referentEmail: string | null; referentIsAidant: boolean }, aidantCount: number): RequestStep {
  if (!draft.referentEmail) return 'referent';
  if (aidantCount === 0 && !draft.referentIsAidant) return 'aidants';
  return 'envoi';
}
