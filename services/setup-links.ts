// A référent's first login: the référent (often not an aidant) gets an account when the habilitation is
// validated, but no card nor application, and the login asks a code of one. A setup link, e-mailed to such a
// person only, lets them add their authenticator application and logs them in (services/referent-first-login.ts).
//   - The token is random (services/link-tokens.ts), hashed for its own purpose and kept in its own table
//     (setup_links): a login link is never a setup link, nor the reverse.
//   - Valid SETUP_LINK_TTL (7 days), for one person; used once, when the application is confirmed, which
//     revokes the person's other setup links; a person who has a means of login by then cannot use one.
//   - Minted in the transaction that stores the e-mail carrying it (the outbox's `setupLink`, or the page
//     « Première connexion »): the token exists only in that e-mail, never in a workflow's history or a log.
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { SetupLink } from '../db/models/index.js';
import { DAY_MS } from '../domain/duration.js';
import { FIRST_LOGIN_PATH } from '../emails/espace-templates.js';
import { appendJournal } from './journal.js';
import { hashToken, LINK_TOKEN, newLinkToken } from './link-tokens.js';

/** Where a setup link leads (the token follows); without a token, the page that asks for one. */
export const SETUP_LINK_PATH = FIRST_LOGIN_PATH;
export const DEFAULT_SETUP_LINK_TTL_MS = 7 * DAY_MS;

const SETUP_LINK_PURPOSE = 'aidants-connect/setup-links/v1';

export interface SetupLinkKeys {
  /** Public base URL of the service (links are absolute, they go into e-mails). */
  publicUrl: string;
  /** SECRETS_KEY: the setup links' hashing key is derived from it. */
  secretsKey: Buffer;
  /** SETUP_LINK_TTL */
  ttlMs: number;
}

export const hashSetupToken = (secretsKey: Buffer, token: string): string => hashToken(secretsKey, SETUP_LINK_PURPOSE, token);

/** A person a setup link is for: an active référent of an active structure with no means of login yet. */
export interface ReferentWithoutDevice {
  userId: string;
  email: string;
  firstName: string;
  lastName: string;
  /** Their current structure when they are its référent, else their oldest one. */
  organisationId: string;
  organisationName: string;
}

// « No means of login » is what the login refuses: no validated, working card or application.
const WITHOUT_DEVICE = `
  SELECT u.id AS "userId", u.email, u.first_name AS "firstName", u.last_name AS "lastName",
         m.organisation_id AS "organisationId", m.organisation_name AS "organisationName"
    FROM users u
    JOIN LATERAL (
      SELECT m.organisation_id, o.name AS organisation_name
        FROM organisation_memberships m JOIN organisations o ON o.id = m.organisation_id
       WHERE m.user_id = u.id AND m.is_active AND m.is_referent AND o.is_active
       ORDER BY (m.organisation_id = u.current_organisation_id) DESC NULLS LAST, m.created_at ASC LIMIT 1
    ) m ON true
   WHERE u.is_active
     AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.aidant_id = u.id AND c.validated_at IS NOT NULL AND c.is_functional)
     AND `;

const sequelizeOf = (): Sequelize => SetupLink.sequelize!;

/** The référent without a means of login at this address (normalised) or with this id; null for anyone else. */
export async function referentWithoutDevice(by: { email: string } | { userId: string }, transaction?: Transaction): Promise<ReferentWithoutDevice | null> {
  const [condition, value] = 'email' in by ? ['u.email = :value', by.email] : ['u.id = :value', by.userId];
  const [row] = await sequelizeOf().query<ReferentWithoutDevice>(`${WITHOUT_DEVICE} ${condition}`, {
    replacements: { value }, type: QueryTypes.SELECT, transaction,
  });
  return row ?? null;
}

export interface IssuedSetupLink {
  id: string;
  url: string;
  expiresAt: Date;
}

/** Mints a setup link for this référent, journaled (as a login link sent) in the caller's transaction. */
export async function issueSetupLink(keys: SetupLinkKeys, referent: ReferentWithoutDevice, cause: 'habilitation_validated' | 'requested', transaction: Transaction): Promise<IssuedSetupLink> {
  const token = newLinkToken();
  const link = await SetupLink.create({
    userId: referent.userId, tokenHash: hashSetupToken(keys.secretsKey, token), expiresAt: new Date(Date.now() + keys.ttlMs), usedAt: null, revokedAt: null,
  }, { transaction });
  await appendJournal({
    action: 'login_link_sent', actorId: referent.userId, organisationId: referent.organisationId, details: { link: 'setup', cause },
  }, transaction);
  return { id: link.id, url: `${keys.publicUrl}${SETUP_LINK_PATH}/${token}`, expiresAt: link.expiresAt };
}

/**
 * For the outbox: a setup link for the person at `email` when they still need one (a référent without a means
 * of login), else null (the e-mail then leads to the login page as usual).
 */
export async function setupLinkFor(keys: SetupLinkKeys, email: string, transaction: Transaction): Promise<IssuedSetupLink | null> {
  const referent = await referentWithoutDevice({ email: email.trim().toLowerCase() }, transaction);
  return referent ? issueSetupLink(keys, referent, 'habilitation_validated', transaction) : null;
}

export type SetupLinkLookup = { outcome: 'valid'; linkId: string; referent: ReferentWithoutDevice } | { outcome: 'invalid' };

/**
 * What a token stands for, using nothing: a live link (not used, revoked nor expired) of a person who still
 * needs it. Anything else — malformed, unknown (a login link's token included), expired, used, revoked, a
 * person who has a card or an application by now — is one answer.
 */
export async function lookupSetupLink(secretsKey: Buffer, token: string): Promise<SetupLinkLookup> {
  if (!LINK_TOKEN.test(token)) return { outcome: 'invalid' };
  const link = await SetupLink.findOne({ where: { tokenHash: hashSetupToken(secretsKey, token) } });
  if (!link || link.usedAt || link.revokedAt || link.expiresAt.getTime() <= Date.now()) return { outcome: 'invalid' };
  const referent = await referentWithoutDevice({ userId: link.userId });
  return referent ? { outcome: 'valid', linkId: link.id, referent } : { outcome: 'invalid' };
}

/**
 * Uses a live link, once (one atomic UPDATE: of two concurrent uses, one wins), and revokes the person's other
 * live setup links, in the caller's transaction. Null when the link is not live.
 */
export async function useSetupLink(secretsKey: Buffer, token: string, transaction: Transaction): Promise<{ linkId: string; userId: string } | null> {
  if (!LINK_TOKEN.test(token)) return null;
  const [used] = await sequelizeOf().query<{ id: string; user_id: string }>(
    `UPDATE setup_links SET used_at = now()
      WHERE token_hash = :hash AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
      RETURNING id, user_id`,
    { replacements: { hash: hashSetupToken(secretsKey, token) }, type: QueryTypes.SELECT, transaction },
  );
  if (!used) return null;
  await revokeSetupLinks(used.user_id, transaction);
  return { linkId: used.id, userId: used.user_id };
}

/** Revokes every live setup link of the person. Returns how many. */
export async function revokeSetupLinks(userId: string, transaction?: Transaction): Promise<number> {
  const [, count] = await sequelizeOf().query(
    'UPDATE setup_links SET revoked_at = now() WHERE user_id = :userId AND used_at IS NULL AND revoked_at IS NULL',
    { replacements: { userId }, transaction, type: QueryTypes.UPDATE },
  );
  return Number(count);
}
