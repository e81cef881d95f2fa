// Adds an ANCT staff member who can log into the back-office (password, then a TOTP code: admin/auth.ts): the
// first one in production, where there is no demo data, and any later one (`npm run staff:add`).
import { randomBytes } from 'node:crypto';
import { generateSecret } from 'otplib';
import { UniqueConstraintError, type Sequelize } from 'sequelize';
import { User } from '../db/models/index.js';
import { StaffMemberRefusedError, validateNewStaffMember, type AddedStaffMember } from '../domain/staff-members.js';
import { appendJournal } from './journal.js';
import { hashPassword } from './passwords.js';
import type { SecretBox } from './secret-box.js';

/**
 * The back-office's codes (admin/auth.ts): 6 digits, 30 seconds, SHA-1 (what every authenticator app reads),
 * under the issuer the aidants' applications show too (services/cards.ts APPLICATION_ISSUER).
 */
const BACK_OFFICE_TOTP = { issuer: 'Aidants Connect', algorithm: 'SHA1', digits: 6, period: 30 } as const;

/** A strong initial password: 18 random bytes, 24 base64url characters (144 bits). */
export const newInitialPassword = (): string => randomBytes(18).toString('base64url');

/** The otpauth:// URI of a back-office TOTP secret (base32), labelled with the person's e-mail. */
export function backOfficeOtpauthUri(totpSecret: string, email: string): string {
  const { issuer } = BACK_OFFICE_TOTP;
  const params = new URLSearchParams({
    secret: totpSecret, issuer, algorithm: BACK_OFFICE_TOTP.algorithm, digits: String(BACK_OFFICE_TOTP.digits), period: String(BACK_OFFICE_TOTP.period),
  });
  return `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(email)}?${params.toString().replace(/\+/g, '%20')}`;
}

const alreadyUsed = (email: string) => new StaffMemberRefusedError([
  `--email : un compte utilise déjà l’adresse ${email}. Aucun membre n’a été ajouté et ce compte n’a pas été modifié.`,
]);

/**
 * Creates the person with their staff roles, a new random password (stored as its scrypt hash) and a new TOTP
 * secret (stored sealed), and journals it (`add_staff_member`, the roles in the details, no secret) in the same
 * transaction. Refuses (StaffMemberRefusedError, nothing written) invalid input and an e-mail address any
 * account already uses, whatever its case. Returns the secrets in clear, for the operator's terminal only.
 */
export async function addStaffMember(
  deps: { sequelize: Sequelize; secretBox: SecretBox },
  input: { email: string; firstName: string; lastName: string; roles: readonly string[] },
): Promise<AddedStaffMember> {
  const member = validateNewStaffMember(input);
  const password = newInitialPassword();
  const totpSecret = generateSecret();
  const passwordHash = await hashPassword(password);
  const sealedAdminTotpSecret = deps.secretBox.seal(totpSecret);
  try {
    const userId = await deps.sequelize.transaction(async (transaction) => {
      // Addresses are lower-cased on the way in and the table's CHECK keeps them so: any case variant is this one.
      const existing = await User.findOne({ where: { email: member.email }, attributes: ['id'], transaction });
      if (existing) throw alreadyUsed(member.email);
      const user = await User.create({
        email: member.email, firstName: member.firstName, lastName: member.lastName, profession: 'ANCT', phone: null,
        currentOrganisationId: null, staffRoles: member.roles, passwordHash, sealedAdminTotpSecret, lastLoginAt: null, lastActivityAt: null,
      }, { transaction });
      // No actor: an operator at the server's terminal, not a signed-in person. No e-mail either (the journal is pseudonymous).
      await appendJournal({ action: 'add_staff_member', actorId: null, details: { staffMemberId: user.id, roles: member.roles } }, transaction);
      return user.id;
    });
    return { ...member, userId, password, totpSecret, otpauthUri: backOfficeOtpauthUri(totpSecret, member.email) };
  } catch (error) {
    // Two additions of the same address at once: the unique index refuses the second.
    if (error instanceof UniqueConstraintError) throw alreadyUsed(member.email);
    throw error;
  }
}
