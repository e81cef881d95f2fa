// Adding an ANCT staff member from the command line (`npm run staff:add`, scripts/add-staff-member.ts): the
// arguments, their checks with French messages, and what the operator's terminal shows once the member exists.
// Nothing here touches the database (services/staff-members.ts does).
import { emailError } from './habilitation-form.js';
import { STAFF_ROLE_KEYS, STAFF_ROLES, type StaffRole } from './roles.js';

/** The longest e-mail address and name accepted (as the project's forms). */
export const STAFF_EMAIL_MAX_LENGTH = 200;
export const STAFF_NAME_MAX_LENGTH = 200;

/** The exit code of a refused command (BSD's EX_USAGE): invalid arguments, or an e-mail address already used. */
export const EX_USAGE = 64;

export const STAFF_MEMBER_USAGE = [
  'Usage : npm run staff:add -- --email <adresse> --first-name <prénom> --last-name <nom> --role <rôle>[,<rôle>…]',
  `Rôles : ${STAFF_ROLE_KEYS.map((role) => `${role} (${STAFF_ROLES[role]})`).join(', ')}.`,
].join('\n');

export interface NewStaffMember {
  /** Trimmed and lower-cased, as every e-mail address of the project. */
  email: string;
  firstName: string;
  lastName: string;
  /** Known roles, each once, in the order of STAFF_ROLE_KEYS. */
  roles: StaffRole[];
}

/** A refused addition: every reason, in French; nothing was written. */
export class StaffMemberRefusedError extends Error {
  constructor(readonly reasons: string[]) {
    super(reasons.join('\n'));
    this.name = 'StaffMemberRefusedError';
  }
}

const KNOWN_ROLES = `Rôles possibles : ${STAFF_ROLE_KEYS.map((role) => `${role} (${STAFF_ROLES[role]})`).join(', ')}.`;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

function nameErrors(option: string, label: string, value: string): string[] {
  if (!value) return [`${option} : ${label} ne peut pas être vide.`];
  if (value.length > STAFF_NAME_MAX_LENGTH) return [`${option} : ${label} ne peut pas dépasser ${STAFF_NAME_MAX_LENGTH} caractères.`];
  if (CONTROL_CHARACTERS.test(value)) return [`${option} : ${label} contient des caractères de contrôle.`];
  return [];
}

/**
 * Checks and normalises a new staff member: a valid e-mail address (lower-cased), non-empty names of at most
 * STAFF_NAME_MAX_LENGTH characters, at least one known role. Throws StaffMemberRefusedError with every reason.
 */
export function validateNewStaffMember(input: { email: string; firstName: string; lastName: string; roles: readonly string[] }): NewStaffMember {
  const errors: string[] = [];
  const email = input.email.trim().toLowerCase();
  if (!email) errors.push('--email : l’adresse e-mail ne peut pas être vide.');
  else if (email.length > STAFF_EMAIL_MAX_LENGTH) errors.push(`--email : l’adresse e-mail ne peut pas dépasser ${STAFF_EMAIL_MAX_LENGTH} caractères.`);
  else if (emailError(email) || CONTROL_CHARACTERS.test(email)) errors.push(`--email : « ${printable(input.email.trim())} » n’est pas une adresse e-mail valide (par exemple prenom.nom@anct.gouv.fr).`);

  const firstName = input.firstName.trim();
  const lastName = input.lastName.trim();
  errors.push(...nameErrors('--first-name', 'le prénom', firstName), ...nameErrors('--last-name', 'le nom', lastName));

  const asked = input.roles.map((role) => role.trim());
  const unknown = asked.filter((role) => role && !(STAFF_ROLE_KEYS as string[]).includes(role));
  if (asked.every((role) => !role)) errors.push(`--role : indiquez au moins un rôle. ${KNOWN_ROLES}`);
  else if (asked.some((role) => !role)) errors.push(`--role : un rôle de la liste est vide (séparez les rôles par des virgules, sans virgule de trop). ${KNOWN_ROLES}`);
  if (unknown.length > 0) {
    errors.push(`--role : ${unknown.length > 1 ? 'rôles inconnus' : 'rôle inconnu'} ${unknown.map((role) => `« ${printable(role)} »`).join(', ')}. ${KNOWN_ROLES}`);
  }
  if (errors.length > 0) throw new StaffMemberRefusedError(errors);
  return { email, firstName, lastName, roles: STAFF_ROLE_KEYS.filter((role) => asked.includes(role)) };
}

/** A value quoted back to the operator, without control characters (which could rewrite their terminal). */
const printable = (value: string): string => value.replace(new RegExp(CONTROL_CHARACTERS.source, 'g'), '?').slice(0, 80);

const OPTIONS = ['--email', '--first-name', '--last-name', '--role'] as const;
type Option = (typeof OPTIONS)[number];
const isOption = (name: string): name is Option => (OPTIONS as readonly string[]).includes(name);

export type StaffMemberArguments = { help: true } | { help: false; member: NewStaffMember };

/**
 * The command's arguments (after `npm run staff:add --`): `--email <adresse>` or `--email=<adresse>`, the same for
 * `--first-name`, `--last-name` and `--role` (roles separated by commas), each once; `--help` (or `-h`) asks for
 * the usage. Throws StaffMemberRefusedError with every reason, structural (missing, unknown, repeated option) and
 * then those of validateNewStaffMember.
 */
export function parseStaffMemberArguments(argv: readonly string[]): StaffMemberArguments {
  if (argv.some((arg) => arg === '--help' || arg === '-h')) return { help: true };
  const errors: string[] = [];
  const values: Partial<Record<Option, string>> = {};
  const seen = new Set<Option>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const next = argv[i + 1];
    if (!name.startsWith('-')) {
      errors.push(`Argument inattendu : « ${printable(arg)} » (chaque valeur suit son option, par exemple --email prenom.nom@anct.gouv.fr).`);
      continue;
    }
    if (!isOption(name)) {
      errors.push(`Option inconnue : ${printable(name)}.`);
      // Its value, if any, is not reported again as an unexpected argument.
      if (equals < 0 && next !== undefined && !next.startsWith('-')) i += 1;
      continue;
    }
    const repeated = seen.has(name);
    seen.add(name);
    let value: string | undefined;
    if (equals > 0) value = arg.slice(equals + 1);
    else if (next !== undefined && !next.startsWith('--')) value = argv[(i += 1)];
    if (repeated) errors.push(`L’option ${name} est donnée plusieurs fois.`);
    else if (value === undefined) errors.push(`L’option ${name} attend une valeur.`);
    else values[name] = value;
  }
  for (const option of OPTIONS) {
    if (!seen.has(option)) errors.push(`Option manquante : ${option}.`);
  }
  if (errors.length > 0) throw new StaffMemberRefusedError(errors);
  return {
    help: false,
    member: validateNewStaffMember({ email: values['--email']!, firstName: values['--first-name']!, lastName: values['--last-name']!, roles: values['--role']!.split(',') }),
  };
}

/** What addStaffMember returns: the secrets are in clear here only, for the operator's terminal, once. */
export interface AddedStaffMember extends NewStaffMember {
  userId: string;
  /** The initial password (only its hash is stored). */
  password: string;
  /** The authenticator's TOTP secret, base32 (stored sealed with SECRETS_KEY). */
  totpSecret: string;
  /** The same secret as an otpauth:// URI (issuer « Aidants Connect », label the e-mail), for an authenticator app. */
  otpauthUri: string;
}

/** The French text the command prints once on the operator's terminal (and nowhere else). */
export function describeAddedStaffMember(added: AddedStaffMember, backOfficeUrl: string): string {
  return [
    `Membre de l’équipe ANCT ajouté : ${added.firstName} ${added.lastName} <${added.email}>`,
    `Rôles : ${added.roles.map((role) => `${STAFF_ROLES[role]} (${role})`).join(', ')}`,
    '',
    `Back-office :           ${backOfficeUrl}`,
    `Adresse e-mail :        ${added.email}`,
    `Mot de passe initial :  ${added.password}`,
    `Secret TOTP :           ${added.totpSecret}`,
    'À ajouter dans une application d’authentification (code à 6 chiffres, 30 secondes) :',
    `  ${added.otpauthUri}`,
    '',
    'Transmettez le mot de passe et le secret TOTP à cette personne par deux canaux distincts (par exemple l’un de vive voix',
    'ou par téléphone, l’autre par une messagerie chiffrée), jamais ensemble. Ils ne sont affichés qu’une seule fois :',
    'le mot de passe n’est enregistré que sous forme d’empreinte et le secret chiffré, ils ne pourront pas être affichés de nouveau.',
    '',
  ].join('\n');
}
