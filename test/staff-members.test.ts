// `npm run staff:add` (scripts/add-staff-member.ts, services/staff-members.ts): the member it adds logs into the
// real back-office with the password and a code of the TOTP secret the command printed; the password is stored
// hashed and the secret sealed; the addition is journaled with the roles and no secret, in the same transaction;
// an e-mail address already used (whatever its case), an unknown role, a malformed address or a missing option
// is refused with its French message (exit code 64) and nothing is written.
import { generateSync } from 'otplib';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { JournalEntry, User } from '../db/models/index.js';
import { JOURNAL_ACTIONS } from '../domain/journal.js';
import { describeDetails } from '../domain/journal-export.js';
import {
  describeAddedStaffMember, EX_USAGE, parseStaffMemberArguments, STAFF_MEMBER_USAGE, StaffMemberRefusedError, type NewStaffMember,
} from '../domain/staff-members.js';
import { verifyPassword } from '../services/passwords.js';
import { addStaffMember, backOfficeOtpauthUri } from '../services/staff-members.js';
import { useBackOfficeStack } from './support/back-office-stack.js';
import { testEnv, unique } from './support/env.js';
import { runScript, type ScriptRun } from './support/run-script.js';
import { createStaffMember, testSecrets } from './support/factories.js';

const stack = useBackOfficeStack();
const deps = () => ({ sequelize: stack.sequelize, secretBox: testSecrets });

const ROLES_HELP = 'Rôles possibles : anct_jury (Membre du comité ANCT), anct_staff (Équipe ANCT), tech_admin (Administrateur technique).';

/** `npm run staff:add -- <args>` against the test database, the back-office of this file's web server as PUBLIC_URL. */
function runCommand(args: string[]): Promise<ScriptRun> {
  return runScript('scripts/add-staff-member.ts', args, { ...process.env, NODE_ENV: 'test', DATABASE_URL: testEnv.databaseUrl, PUBLIC_URL: stack.web.url, LOG_LEVEL: 'warn' });
}

/** The back-office login form, as a person fills it in. */
async function logIn(email: string, password: string, otp: string) {
  const agent = request.agent(stack.web.url);
  const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/admin/login')).text)![1];
  const response = await agent.post('/admin/login').type('form').send({ _csrf: csrf, email, password, otp });
  return { agent, response };
}

const printed = (output: string, label: string) => new RegExp(`^${label} :\\s+(\\S+)$`, 'm').exec(output)?.[1];
const usersWithEmail = async (email: string) => Number((await stack.sequelize.query<{ n: string }>(
  'SELECT count(*) AS n FROM users WHERE lower(email) = lower(:email)', { replacements: { email }, type: QueryTypes.SELECT }))[0].n);
const additionsJournaled = () => JournalEntry.count({ where: { action: 'add_staff_member' } });
const entryOf = async (userId: string) =>
  (await JournalEntry.findAll({ where: { action: 'add_staff_member' } })).filter((entry) => entry.details.staffMemberId === userId);
/** What a refusal says, or a failure of the test when it was not refused. */
async function refusal(attempt: Promise<unknown>): Promise<string[]> {
  const error = await attempt.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(StaffMemberRefusedError);
  return (error as StaffMemberRefusedError).reasons;
}
const newMember = (overrides: Partial<{ email: string; firstName: string; lastName: string; roles: string[] }> = {}) => ({
  email: `${unique('agent-')}@anct.invalid`, firstName: 'Nora', lastName: 'Lambert', roles: ['anct_staff'], ...overrides,
});

describe('npm run staff:add', () => {
  it('prints once a password and a TOTP secret with which the new member logs into the back-office', async () => {
    const email = `${unique('Premiere-')}@ANCT.invalid`;
    const { code, stdout, stderr } = await runCommand(['--email', email, '--first-name', 'Élise', '--last-name=Fournier', '--role', 'tech_admin,anct_staff']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });

    const password = printed(stdout, 'Mot de passe initial');
    const secret = printed(stdout, 'Secret TOTP');
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(/^\s+(otpauth:\/\/\S+)$/m.exec(stdout)![1]);
    expect(`${uri.protocol}//${uri.host}${uri.pathname}`).toBe(`otpauth://totp/Aidants%20Connect:${encodeURIComponent(email.toLowerCase())}`);
    expect(Object.fromEntries(uri.searchParams)).toEqual({ secret, issuer: 'Aidants Connect', algorithm: 'SHA1', digits: '6', period: '30' });
    expect(printed(stdout, 'Back-office')).toBe(`${stack.web.url}/admin`);
    expect(stdout).toContain(`Membre de l’équipe ANCT ajouté : Élise Fournier <${email.toLowerCase()}>`);
    expect(stdout).toContain('Rôles : Équipe ANCT (anct_staff), Administrateur technique (tech_admin)');
    expect(stdout).toContain('par deux canaux distincts');
    expect(stdout).toContain('Ils ne sont affichés qu’une seule fois');

    // The printed password with a code of the printed secret opens the back-office (the address typed as given).
    const { agent, response } = await logIn(email, password!, generateSync({ secret: secret!, period: 30, digits: 6 }));
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/admin');
    expect((await agent.get('/admin/api/dashboard')).status).toBe(200);

    const user = (await User.findOne({ where: { email: email.toLowerCase() } }))!;
    expect(user.staffRoles).toEqual(['anct_staff', 'tech_admin']);
    expect(user.lastLoginAt).not.toBeNull();
  });

  it('stores the password as a scrypt hash and the TOTP secret sealed, neither in clear, and draws new ones each time', async () => {
    const first = await addStaffMember(deps(), newMember());
    const second = await addStaffMember(deps(), newMember());
    for (const added of [first, second]) {
      const [row] = await stack.sequelize.query<Record<string, unknown>>('SELECT * FROM users WHERE id = :id', { replacements: { id: added.userId }, type: QueryTypes.SELECT });
      const stored = JSON.stringify(row);
      expect(stored).not.toContain(added.password);
      expect(stored).not.toContain(added.totpSecret);
      expect(row.password_hash).toMatch(/^scrypt\$/);
      expect(await verifyPassword(added.password, row.password_hash as string)).toBe(true);
      expect(row.sealed_admin_totp_secret).toMatch(/^v1\./);
      expect(testSecrets.open(row.sealed_admin_totp_secret as string)).toBe(added.totpSecret);
      expect(row.staff_roles).toEqual(['anct_staff']);
      expect(row.profession).toBe('ANCT');
      expect(added.otpauthUri).toBe(backOfficeOtpauthUri(added.totpSecret, added.email));
    }
    expect(second.password).not.toBe(first.password);
    expect(second.totpSecret).not.toBe(first.totpSecret);
  });

  it('journals the addition with the roles and no secret, in the same transaction as the account', async () => {
    const added = await addStaffMember(deps(), newMember({ roles: ['tech_admin', 'anct_jury', 'tech_admin'] }));
    const entries = await entryOf(added.userId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: null, details: { staffMemberId: added.userId, roles: ['anct_jury', 'tech_admin'] } });
    const stored = JSON.stringify(entries[0].toJSON());
    for (const secret of [added.password, added.totpSecret, added.email]) expect(stored).not.toContain(secret);
    expect(JOURNAL_ACTIONS.add_staff_member).toBe('Ajout d’un membre de l’équipe ANCT');
    // As the record page and the export say it (in jsonb's key order).
    expect(describeDetails(entries[0].details).sort()).toEqual([`Membre de l’équipe ANCT : ${added.userId}`, 'Rôles : ["anct_jury","tech_admin"]']);

    // A failure once the entry is written (but before the commit) takes both the account and the entry back.
    const email = `${unique('sans-journal-')}@anct.invalid`;
    const journaled = await additionsJournaled();
    const bulkCreate = JournalEntry.bulkCreate;
    const write = bulkCreate.bind(JournalEntry) as (...args: unknown[]) => Promise<unknown>;
    JournalEntry.bulkCreate = (async (...args: unknown[]) => {
      await write(...args);
      throw new Error('panne après l’écriture du journal');
    }) as unknown as typeof bulkCreate;
    try {
      await expect(addStaffMember(deps(), newMember({ email }))).rejects.toThrow('panne après l’écriture du journal');
    } finally {
      JournalEntry.bulkCreate = bulkCreate;
    }
    expect(await usersWithEmail(email)).toBe(0);
    expect(await additionsJournaled()).toBe(journaled);
  });

  it('refuses an e-mail address an account already uses, whatever its case, and leaves that account as it was', async () => {
    const staff = await createStaffMember('anct_jury');
    // An aidant's account (no staff role) counts as much as a staff member's.
    const aidant = await User.create({
      email: `${unique('aidant-')}@exemple.fr`, firstName: 'Paul', lastName: 'Durand', profession: 'Aidant', phone: null,
      currentOrganisationId: null, passwordHash: null, sealedAdminTotpSecret: null, lastLoginAt: null, lastActivityAt: null,
    });
    const capitalised = (email: string) => email.replace(/^./, (c) => c.toUpperCase()).replace(/@.+$/, (domain) => domain.toUpperCase());
    const journaled = await additionsJournaled();
    for (const [existing, attempt] of [[staff.email, staff.email.toUpperCase()], [aidant.email, ` ${capitalised(aidant.email)} `], [aidant.email, aidant.email]]) {
      const [before] = await stack.sequelize.query('SELECT * FROM users WHERE email = :email', { replacements: { email: existing }, type: QueryTypes.SELECT });
      expect(await refusal(addStaffMember(deps(), newMember({ email: attempt, roles: ['tech_admin'] })))).toEqual([
        `--email : un compte utilise déjà l’adresse ${existing}. Aucun membre n’a été ajouté et ce compte n’a pas été modifié.`,
      ]);
      const [after] = await stack.sequelize.query('SELECT * FROM users WHERE email = :email', { replacements: { email: existing }, type: QueryTypes.SELECT });
      expect(after).toEqual(before);
      expect(await usersWithEmail(existing)).toBe(1);
    }
    expect(await additionsJournaled()).toBe(journaled);

    // Two additions of one address at once: one member, the other refused as above.
    const email = `${unique('double-')}@anct.invalid`;
    const outcomes = await Promise.allSettled([addStaffMember(deps(), newMember({ email })), addStaffMember(deps(), newMember({ email: email.toUpperCase() }))]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')!;
    expect(rejected.reason).toBeInstanceOf(StaffMemberRefusedError);
    expect(await usersWithEmail(email)).toBe(1);
    expect(await additionsJournaled()).toBe(journaled + 1);

    // The command says so too, with the usage's exit code.
    const { code, stdout, stderr } = await runCommand(['--email', staff.email.toUpperCase(), '--first-name', 'Paul', '--last-name', 'Durand', '--role', 'tech_admin']);
    expect(code).toBe(EX_USAGE);
    expect(stdout).toBe('');
    expect(stderr).toContain(`✖ --email : un compte utilise déjà l’adresse ${staff.email}.`);
    expect(await User.findOne({ where: { email: staff.email } })).toMatchObject({ staffRoles: ['anct_jury'], firstName: 'Agent' });
  });

  it('refuses an unknown role, a malformed address, empty or over-long names, with their French messages, writing nothing', async () => {
    const journaled = await additionsJournaled();
    const cases: [ReturnType<typeof newMember>, string[]][] = [
      [newMember({ roles: ['anct_staff', 'superadmin'] }), [`--role : rôle inconnu « superadmin ». ${ROLES_HELP}`]],
      [newMember({ roles: ['anct_staff', ''] }), [`--role : un rôle de la liste est vide (séparez les rôles par des virgules, sans virgule de trop). ${ROLES_HELP}`]],
      [newMember({ roles: [''] }), [`--role : indiquez au moins un rôle. ${ROLES_HELP}`]],
      [newMember({ email: 'pas-une-adresse' }), ['--email : « pas-une-adresse » n’est pas une adresse e-mail valide (par exemple prenom.nom@anct.gouv.fr).']],
      [newMember({ firstName: '  ', lastName: 'x'.repeat(201) }), ['--first-name : le prénom ne peut pas être vide.', '--last-name : le nom ne peut pas dépasser 200 caractères.']],
      [newMember({ lastName: 'Lambert\u001b[2J' }), ['--last-name : le nom contient des caractères de contrôle.']],
    ];
    for (const [input, reasons] of cases) {
      expect(await refusal(addStaffMember(deps(), input))).toEqual(reasons);
      expect(await usersWithEmail(input.email)).toBe(0);
    }
    expect(await additionsJournaled()).toBe(journaled);

    // The command: its exit code, the messages and the usage on stderr, nothing on stdout, nothing written.
    const email = `${unique('refuse-')}@anct.invalid`;
    const invalidRole = await runCommand(['--email', email, '--first-name', 'Nora', '--last-name', 'Lambert', '--role', 'root']);
    expect({ code: invalidRole.code, stdout: invalidRole.stdout }).toEqual({ code: EX_USAGE, stdout: '' });
    expect(invalidRole.stderr).toContain(`✖ --role : rôle inconnu « root ». ${ROLES_HELP}\n\n${STAFF_MEMBER_USAGE}\n`);
    const missing = await runCommand(['--email', email, '--first-name', 'Nora']);
    expect({ code: missing.code, stdout: missing.stdout }).toEqual({ code: EX_USAGE, stdout: '' });
    expect(missing.stderr).toContain(`✖ Option manquante : --last-name.\n✖ Option manquante : --role.\n\n${STAFF_MEMBER_USAGE}\n`);
    expect(await usersWithEmail(email)).toBe(0);
    expect(await additionsJournaled()).toBe(journaled);
  });
});

describe('the arguments of npm run staff:add', () => {
  const refused = (argv: string[]) => {
    try {
      parseStaffMemberArguments(argv);
    } catch (error) {
      if (error instanceof StaffMemberRefusedError) return error.reasons;
      throw error;
    }
    throw new Error(`${argv.join(' ')} was accepted`);
  };

  it('reads each option as `--option value` or `--option=value`, normalises the address and orders the roles', () => {
    const expected: NewStaffMember = { email: 'elise.fournier@anct.gouv.fr', firstName: 'Élise', lastName: 'de la Fontaine', roles: ['anct_jury', 'tech_admin'] };
    expect(parseStaffMemberArguments(['--email', ' Elise.Fournier@ANCT.gouv.fr ', '--first-name=Élise', '--last-name', 'de la Fontaine', '--role=tech_admin,anct_jury'])).toEqual({ help: false, member: expected });
    expect(parseStaffMemberArguments(['--role', 'anct_jury,tech_admin,anct_jury', '--last-name', ' de la Fontaine', '--first-name', 'Élise', '--email=elise.fournier@anct.gouv.fr'])).toEqual({ help: false, member: expected });
    expect(parseStaffMemberArguments(['--help'])).toEqual({ help: true });
    expect(parseStaffMemberArguments(['--email', 'x', '-h'])).toEqual({ help: true });
  });

  it('says every missing, unknown, repeated or valueless option and every stray argument', () => {
    expect(refused([])).toEqual(['Option manquante : --email.', 'Option manquante : --first-name.', 'Option manquante : --last-name.', 'Option manquante : --role.']);
    expect(refused(['--email', 'a@b.fr', '--first-name', 'A', '--last-name', 'B', '--role', 'anct_staff', '--admin', 'oui'])).toEqual(['Option inconnue : --admin.']);
    expect(refused(['--email', 'a@b.fr', '--email=c@d.fr', '--first-name', 'A', '--last-name', 'B', '--role', 'anct_staff'])).toEqual(['L’option --email est donnée plusieurs fois.']);
    expect(refused(['--email', '--first-name', 'A', '--last-name', 'B', '--role'])).toEqual(['L’option --email attend une valeur.', 'L’option --role attend une valeur.']);
    expect(refused(['--email', 'a@b.fr', 'c@d.fr', '--first-name', 'A', '--last-name', 'B', '--role', 'anct_staff'])).toEqual([
      'Argument inattendu : « c@d.fr » (chaque valeur suit son option, par exemple --email prenom.nom@anct.gouv.fr).',
    ]);
    // Once the options are all there, the values are checked (every reason at once).
    expect(refused(['--email', 'a@b', '--first-name', '', '--last-name', 'B', '--role', 'anct_staff,admin'])).toEqual([
      '--email : « a@b » n’est pas une adresse e-mail valide (par exemple prenom.nom@anct.gouv.fr).',
      '--first-name : le prénom ne peut pas être vide.',
      `--role : rôle inconnu « admin ». ${ROLES_HELP}`,
    ]);
  });

  it('prints the secrets with the back-office address and the instructions to pass them on', () => {
    const text = describeAddedStaffMember({
      userId: 'id', email: 'nora@anct.invalid', firstName: 'Nora', lastName: 'Lambert', roles: ['anct_jury'],
      password: 'P'.repeat(24), totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/x',
    }, 'https://aidantsconnect.example/admin');
    expect(text.split('\n').slice(0, 9)).toEqual([
      'Membre de l’équipe ANCT ajouté : Nora Lambert <nora@anct.invalid>',
      'Rôles : Membre du comité ANCT (anct_jury)',
      '',
      'Back-office :           https://aidantsconnect.example/admin',
      'Adresse e-mail :        nora@anct.invalid',
      `Mot de passe initial :  ${'P'.repeat(24)}`,
      'Secret TOTP :           JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
      'À ajouter dans une application d’authentification (code à 6 chiffres, 30 secondes) :',
      '  otpauth://totp/x',
    ]);
    expect(text).toContain('par deux canaux distincts');
  });
});
