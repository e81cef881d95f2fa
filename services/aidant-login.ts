// The login of aidants and référents: e-mail + a 6-digit code of their card or application → a single-use
// link by e-mail (valid LOGIN_LINK_TTL) → a session. The code proves the card, the link proves the mailbox.
//   - Every refusal (unknown e-mail, inactive account, no active structure, no validated card, wrong or
//     replayed code) is one generic answer, after the same work, and sends nothing; failures are counted by
//     services/login-guard.ts per (address, client IP) and per IP.
//   - The token exists only in the e-mail: the table keeps its keyed hash (services/link-tokens.ts); the
//     e-mail is stored in the transaction that creates the link and delivered after the commit by its key.
//   - Consuming a link is one atomic UPDATE (a link opens one session, once) and retires the person's other links.
// The activity check asks a code again of a logged-in person (server/espace/session.ts requireRecentActivity).
import { randomBytes } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { LoginLink } from '../db/models/index.js';
import { CARD_POLICY } from '../domain/cards.js';
import { landingPath } from '../domain/espace.js';
import type { RenderContext } from '../emails/common.js';
import type { CardCodes } from './card-codes.js';
import { appendJournal } from './journal.js';
import type { Lifecycles } from './lifecycles.js';
import { hashToken, LINK_TOKEN, newLinkToken } from './link-tokens.js';
import { clearFailures, recordFailure, tooManyFailures, type LoginAttempt } from './login-guard.js';
import { enqueueEmail } from './outbox.js';
import type { SecretBox } from './secret-box.js';
import { verifyCode } from './totp.js';

export const LOGIN_REFUSED = 'Les informations saisies ne permettent pas de vous identifier.';
export const LOGIN_THROTTLED = 'Trop de tentatives de connexion. Réessayez dans quelques minutes.';
export const LINK_NOT_WORKING = 'Ce lien de connexion ne fonctionne plus. Demandez-en un nouveau.';
export const CODE_REFUSED = 'Ce code n’est pas valide. Saisissez le code affiché en ce moment par votre carte ou votre application.';

const LOGIN_LINK_PURPOSE = 'aidants-connect/login-links/v1';

export interface AidantLoginDeps {
  sequelize: Sequelize;
  cardCodes: CardCodes;
  secrets: SecretBox;
  lifecycles: Pick<Lifecycles, 'sendEmail'>;
  /** SECRETS_KEY: the login links' hashing key is derived from it. */
  secretsKey: Buffer;
  render: RenderContext;
  /** LOGIN_LINK_TTL */
  linkTtlMs: number;
}

export type LinkRequestOutcome = { outcome: 'sent' } | { outcome: 'refused' | 'throttled'; message: string };

export type LinkConsumption =
  | { outcome: 'logged_in'; userId: string; organisationId: string; next: string | null; landing: string }
  | { outcome: 'invalid'; message: string };

export type ActivityCheckOutcome = { outcome: 'checked' } | { outcome: 'refused' | 'throttled'; message: string };

/** A person who may log in: an active account with an active membership of an active structure. */
interface Eligible {
  user_id: string;
  email: string;
  first_name: string;
  last_name: string;
  /** Their current structure when still active, else their oldest active one; null: none. */
  organisation_id: string | null;
  is_referent: boolean | null;
  can_create_mandats: boolean | null;
  has_card: boolean;
}

const ELIGIBLE = `
  SELECT u.id AS user_id, u.email, u.first_name, u.last_name, m.organisation_id, m.is_referent, m.can_create_mandats,
         EXISTS (SELECT 1 FROM cards c WHERE c.aidant_id = u.id AND c.validated_at IS NOT NULL AND c.is_functional) AS has_card
    FROM users u
    LEFT JOIN LATERAL (
      SELECT m.organisation_id, m.is_referent, m.can_create_mandats
        FROM organisation_memberships m JOIN organisations o ON o.id = m.organisation_id
       WHERE m.user_id = u.id AND m.is_active AND o.is_active
       ORDER BY (m.organisation_id = u.current_organisation_id) DESC NULLS LAST, m.created_at ASC LIMIT 1
    ) m ON true
   WHERE u.is_active AND `;

/** The key of a person's login failures (the address typed, normalised). */
export const loginKey = (email: string) => `aidant:${email}`;
export const normaliseEmail = (email: string) => email.trim().toLowerCase();

export function createAidantLogin(deps: AidantLoginDeps) {
  // Checked instead of a card when there is none, so that every refusal costs the same work.
  const dummySeed = deps.secrets.seal(randomBytes(20).toString('hex'));
  const hashOf = (token: string) => hashToken(deps.secretsKey, LOGIN_LINK_PURPOSE, token);

  async function eligible(where: 'email' | 'id', value: string): Promise<Eligible | null> {
    const [row] = await deps.sequelize.query<Eligible>(`${ELIGIBLE} u.${where} = :value`, { replacements: { value }, type: QueryTypes.SELECT });
    return row ?? null;
  }

  return {
    /**
     * Checks the e-mail and the code (`next`: a path already checked with safeNext, or null) and, when both are
     * right, e-mails a login link. Every other case is one generic refusal, counted, with no e-mail.
     */
    async requestLoginLink(input: { email: string; code: string; next: string | null; ip: string }): Promise<LinkRequestOutcome> {
      const email = normaliseEmail(input.email);
      const attempt: LoginAttempt = { key: loginKey(email), ip: input.ip };
      if (await tooManyFailures(attempt)) {
        await recordFailure(attempt);
        return { outcome: 'throttled', message: LOGIN_THROTTLED };
      }
      const person = await eligible('email', email);
      const card = person?.organisation_id && person.has_card
        ? await deps.cardCodes.checkPersonCode(person.user_id, input.code)
        : (verifyCode(deps.secrets.open(dummySeed), CARD_POLICY.periodSeconds.physical, input.code, new Date(), CARD_POLICY.confirmedTolerance), null);
      if (!person?.organisation_id || !card) {
        await recordFailure(attempt);
        return { outcome: 'refused', message: LOGIN_REFUSED };
      }
      await clearFailures(attempt);

      const token = newLinkToken();
      const idempotencyKey = await deps.sequelize.transaction(async (transaction) => {
        const link = await LoginLink.create({
          userId: person.user_id, tokenHash: hashOf(token), nextUrl: input.next, expiresAt: new Date(Date.now() + deps.linkTtlMs), usedAt: null,
        }, { transaction });
        await appendJournal({ action: 'login_link_sent', actorId: person.user_id, organisationId: person.organisation_id, details: { card: card.kind } }, transaction);
        const key = `login-link/${link.id}`;
        await enqueueEmail({ render: deps.render }, {
          idempotencyKey: key, template: 'login_link', to: [person.email],
          data: { recipientName: `${person.first_name} ${person.last_name}`, token, minutes: Math.max(1, Math.round(deps.linkTtlMs / 60_000)) },
        }, transaction);
        return key;
      });
      await deps.lifecycles.sendEmail({ idempotencyKey });
      return { outcome: 'sent' };
    },

    /** Whether a token is a live link (for the page before « Me connecter »; nothing is consumed). */
    async isLiveLink(token: string): Promise<boolean> {
      if (!LINK_TOKEN.test(token)) return false;
      const link = await LoginLink.findOne({ where: { tokenHash: hashOf(token) }, attributes: ['usedAt', 'expiresAt'] });
      return !!link && link.usedAt === null && link.expiresAt.getTime() > Date.now();
    },

    /**
     * Trades a live link for a login, once: the link and the person's other links are used up, the login is
     * journaled in the same transaction, the cards back to their narrow tolerance. An expired, used or unknown
     * link, or a person who can no longer log in, gets LINK_NOT_WORKING.
     */
    async consumeLoginLink(token: string, options: { ip: string }): Promise<LinkConsumption> {
      const invalid = { outcome: 'invalid', message: LINK_NOT_WORKING } as const;
      if (!LINK_TOKEN.test(token)) return invalid;
      const result = await deps.sequelize.transaction(async (transaction): Promise<LinkConsumption & { email?: string }> => {
        const [link] = await deps.sequelize.query<{ user_id: string; next_url: string | null }>(
          `UPDATE login_links SET used_at = now() WHERE token_hash = :hash AND used_at IS NULL AND expires_at > now()
           RETURNING user_id, next_url`,
          { replacements: { hash: hashOf(token) }, type: QueryTypes.SELECT, transaction },
        );
        if (!link) return invalid;
        await deps.sequelize.query('UPDATE login_links SET used_at = now() WHERE user_id = :userId AND used_at IS NULL', { replacements: { userId: link.user_id }, transaction });
        const [person] = await deps.sequelize.query<Eligible>(`${ELIGIBLE} u.id = :value`, { replacements: { value: link.user_id }, type: QueryTypes.SELECT, transaction });
        if (!person?.organisation_id) return invalid;
        await deps.sequelize.query('UPDATE users SET last_login_at = now(), current_organisation_id = :organisationId, updated_at = now() WHERE id = :userId', {
          replacements: { userId: person.user_id, organisationId: person.organisation_id }, transaction,
        });
        await appendJournal({ action: 'connect_aidant', actorId: person.user_id, organisationId: person.organisation_id, details: { ip: options.ip } }, transaction);
        return {
          outcome: 'logged_in', userId: person.user_id, organisationId: person.organisation_id, next: link.next_url, email: person.email,
          landing: landingPath({ isReferent: !!person.is_referent, canCreateMandats: !!person.can_create_mandats }),
        };
      });
      if (result.outcome !== 'logged_in') return result;
      await deps.cardCodes.resetAfterLogin(result.userId);
      await clearFailures({ key: loginKey(result.email!), ip: options.ip });
      const { email: _email, ...login } = result;
      return login;
    },

    /** The activity check: a code of the logged-in person's card again; journaled when right. */
    async checkActivity(input: { userId: string; email: string; organisationId: string; code: string; ip: string }): Promise<ActivityCheckOutcome> {
      const attempt: LoginAttempt = { key: loginKey(input.email), ip: input.ip };
      if (await tooManyFailures(attempt)) {
        await recordFailure(attempt);
        return { outcome: 'throttled', message: LOGIN_THROTTLED };
      }
      if (!(await deps.cardCodes.checkPersonCode(input.userId, input.code))) {
        await recordFailure(attempt);
        return { outcome: 'refused', message: CODE_REFUSED };
      }
      await appendJournal({ action: 'activity_check_aidant', actorId: input.userId, organisationId: input.organisationId, details: { ip: input.ip } });
      await deps.cardCodes.resetAfterLogin(input.userId);
      await clearFailures(attempt);
      return { outcome: 'checked' };
    },
  };
}

export type AidantLogin = ReturnType<typeof createAidantLogin>;
