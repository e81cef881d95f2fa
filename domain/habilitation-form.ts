// Validation of the public habilitation request, shared by the pages and the services.
// Returns French messages keyed by field name; nothing here touches the database.
import { isValidSiret, normalizeSiret } from './siret.js';
import { PLEDGE_KEYS, STRUCTURE_TYPE_KEYS, type Pledge, type StructureType } from './habilitation.js';

export interface HabilitationRequestInput {
  issuerFirstName: string;
  issuerLastName: string;
  issuerEmail: string;
  issuerProfession: string;
  issuerPhone: string;
  structureName: string;
  structureType: StructureType;
  structureTypeOther: string | null;
  siret: string;
  address: string;
  zipcode: string;
  city: string;
  franceServicesNumber: string | null;
  /** The structure's référent: the demandeur themself (« c'est moi ») or another person. */
  referent: { firstName: string; lastName: string; email: string; phone: string; profession: string };
  /** Checked when the référent will also be an aidant (and follow the training). */
  referentIsAidant: boolean;
  aidants: AidantToTrain[];
  pledges: Record<Pledge, boolean>;
}

export interface AidantToTrain {
  firstName: string;
  lastName: string;
  email: string;
  profession: string;
}

/** Rows of the "aidants à former" fieldset on the form. */
export const AIDANT_ROWS = 3;

export type FieldErrors = Record<string, string>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
const PHONE = /^(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}$/;
const MOBILE = /^(?:\+33\s?|0)[67](?:[\s.-]?\d{2}){4}$/;
const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** Department code from a French postal code (Corsica and overseas included). */
export function departmentFromZipcode(zipcode: string): string {
  if (zipcode.startsWith('97')) return zipcode.slice(0, 3);
  if (zipcode.startsWith('20')) return Number(zipcode) < 20200 ? '2A' : '2B';
  return zipcode.slice(0, 2);
}

export function parseHabilitationRequest(body: Record<string, unknown>): { value?: HabilitationRequestInput; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const required = (field: string, label: string, max = 200): string => {
    const value = str(body[field]);
    if (!value) errors[field] = `Veuillez renseigner ${label}.`;
    else if (value.length > max) errors[field] = `Ce champ ne peut pas dépasser ${max} caractères.`;
    return value;
  };

  const issuerFirstName = required('issuerFirstName', 'votre prénom');
  const issuerLastName = required('issuerLastName', 'votre nom');
  const issuerEmail = required('issuerEmail', 'votre adresse e-mail').toLowerCase();
  if (issuerEmail && !EMAIL.test(issuerEmail)) errors.issuerEmail = 'Veuillez saisir une adresse e-mail valide, par exemple nom@exemple.fr.';
  const issuerProfession = required('issuerProfession', 'votre profession');
  const issuerPhone = str(body.issuerPhone);
  if (issuerPhone && !PHONE.test(issuerPhone)) errors.issuerPhone = 'Veuillez saisir un numéro de téléphone français, par exemple 06 12 34 56 78.';

  const structureName = required('structureName', 'le nom de la structure');
  const structureType = str(body.structureType) as StructureType;
  if (!(STRUCTURE_TYPE_KEYS as string[]).includes(structureType)) errors.structureType = 'Veuillez choisir le type de structure.';
  const structureTypeOther = structureType === 'autre' ? required('structureTypeOther', 'le type de structure') : null;

  const siret = normalizeSiret(str(body.siret));
  if (!siret) errors.siret = 'Veuillez renseigner le numéro SIRET de la structure.';
  else if (!/^\d{14}$/.test(siret)) errors.siret = 'Le numéro SIRET doit comporter 14 chiffres.';
  else if (!isValidSiret(siret)) errors.siret = 'Ce numéro SIRET n’est pas valide : vérifiez les 14 chiffres.';

  const address = required('address', 'l’adresse de la structure', 300);
  const zipcode = required('zipcode', 'le code postal');
  if (zipcode && !/^\d{5}$/.test(zipcode)) errors.zipcode = 'Le code postal doit comporter 5 chiffres.';
  const city = required('city', 'la commune');

  const franceServicesLabel = str(body.franceServicesLabel) === 'on' || str(body.franceServicesLabel) === 'true';
  const franceServicesNumber = franceServicesLabel ? required('franceServicesNumber', 'le numéro de labellisation France Services') : null;

  // The référent is reached on a mobile phone (first-login codes); « c'est moi » reuses the demandeur's details.
  const referentIsIssuer = ['on', 'true'].includes(str(body.referentIsIssuer));
  const referent = referentIsIssuer
    ? { firstName: issuerFirstName, lastName: issuerLastName, email: issuerEmail, phone: issuerPhone, profession: issuerProfession }
    : {
      firstName: required('referentFirstName', 'le prénom du référent'), lastName: required('referentLastName', 'le nom du référent'),
      email: required('referentEmail', 'l’adresse e-mail du référent').toLowerCase(), phone: str(body.referentPhone),
      profession: required('referentProfession', 'la profession du référent'),
    };
  if (!referentIsIssuer && referent.email && !EMAIL.test(referent.email)) errors.referentEmail = 'Veuillez saisir une adresse e-mail valide, par exemple nom@exemple.fr.';
  const phoneField = referentIsIssuer ? 'issuerPhone' : 'referentPhone';
  if (!errors[phoneField] && !MOBILE.test(referent.phone)) {
    errors[phoneField] = referentIsIssuer
      ? 'Comme référent, indiquez votre numéro de téléphone mobile, par exemple 06 12 34 56 78.'
      : 'Veuillez saisir le numéro de téléphone mobile du référent, par exemple 06 12 34 56 78.';
  }
  const referentIsAidant = ['on', 'true'].includes(str(body.referentIsAidant));
  const aidants: AidantToTrain[] = [];
  const seen = new Set<string>();
  for (let row = 1; row <= AIDANT_ROWS; row += 1) {
    const field = (name: string) => `aidant${row}_${name}`;
    const values = { firstName: str(body[field('firstName')]), lastName: str(body[field('lastName')]), email: str(body[field('email')]).toLowerCase(), profession: str(body[field('profession')]) };
    if (!Object.values(values).some(Boolean)) continue;
    if (!values.firstName) errors[field('firstName')] = 'Veuillez renseigner le prénom de l’aidant.';
    if (!values.lastName) errors[field('lastName')] = 'Veuillez renseigner le nom de l’aidant.';
    if (!values.profession) errors[field('profession')] = 'Veuillez renseigner la profession de l’aidant.';
    if (!EMAIL.test(values.email)) errors[field('email')] = 'Veuillez saisir une adresse e-mail valide pour cet aidant.';
    else if (values.email === referent.email) errors[field('email')] = 'C’est l’adresse du référent : cochez plutôt « Le référent sera aussi aidant ».';
    else if (seen.has(values.email)) errors[field('email')] = 'Chaque aidant doit avoir une adresse e-mail différente.';
    seen.add(values.email);
    aidants.push(values);
  }
  if (aidants.length === 0 && !referentIsAidant) {
    errors.aidants = 'Indiquez au moins un aidant à former, ou cochez « Le référent sera aussi aidant ».';
  }

  const pledges = Object.fromEntries(PLEDGE_KEYS.map((key) => [key, ['on', 'true'].includes(str(body[`pledge_${key}`]))])) as Record<Pledge, boolean>;
  for (const key of PLEDGE_KEYS) {
    if (!pledges[key]) errors[`pledge_${key}`] = 'Cet engagement est obligatoire pour soumettre la demande.';
  }

  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    value: {
      issuerFirstName, issuerLastName, issuerEmail, issuerProfession, issuerPhone,
      structureName, structureType, structureTypeOther, siret, address, zipcode, city, franceServicesNumber, referent, referentIsAidant, aidants, pledges,
    },
  };
}
