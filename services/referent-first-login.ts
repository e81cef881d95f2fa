// A référent's first login (services/setup-links.ts for the links themselves):
//   1. a setup link reaches the référent by e-mail: in the e-mail of the habilitation's validation (minted by
//      the outbox), or asked again from the page « Première connexion d’un référent ». That page gives the
//      same answer whatever the address, and e-mails only an active référent (of an active structure) with no
//      card nor application; each request is counted by services/login-guard.ts (per address and client IP,
//      and per IP), and a person gets at most SETUP_EMAILS_PER_HOUR links an hour whoever asks;
//   2. the link's page shows the QR code of a new application (its secret waits in the session: opening the
//      page uses nothing);
//   3. a first right code confirms it: in one transaction the link is used (once), the application saved as a
//      validated digital card and journaled, and the login journaled; the caller then opens the session.
import { Op, UniqueConstraintError, type Sequelize } from 'sequelize';
import { SetupLink } from '../db/models/index.js';
import type { RenderContext } from '../emails/common.js';
import { normaliseEmail, LOGIN_THROTTLED } from './aidant-login.js';
import { firstApplicationStep, saveApplication, tellOnboardingsOfValidatedCards } from './cards.js';
import { appendJournal } from './journal.js';
import type { Lifecycles } from './lifecycles.js';
import { clearFailures, recordFailure, tooManyFailures, type LoginAttempt } from './login-guard.js';
import { enqueueEmail } from './outbox.js';
import type { SecretBox } from './secret-box.js';
import { issueSetupLink, lookupSetupLink, referentWithoutDevice, useSetupLink, type SetupLinkKeys, type SetupLinkLookup } from './setup-links.js';

export const SETUP_REQUEST_ANSWER = 'Si cette adresse est celle d’un référent qui n’a pas encore de moyen de connexion, un e-mail vient de lui être envoyé.';
export const SETUP_LINK_NOT_WORKING = 'Ce lien de première connexion ne fonctionne plus : il a expiré, il a déjà servi, ou votre compte a déjà un moyen de connexion.';
/** At most this many setup links e-mailed per person and hour, however often the page is posted. */
export const SETUP_EMAILS_PER_HOUR = 5;

/** The key of first-login requests in login_failures (apart from the login's, which counts wrong codes). */
export const setupKey = (email: string) => `setup:${email}`;

export interface ReferentFirstLoginDeps {
  sequelize: Sequelize;
  secrets: SecretBox;
  lifecycles: Lifecycles;
  keys: SetupLinkKeys;
  render: RenderContext;
  /** A delivery Temporal could not take now (the housekeeping starts it later). */
  onDeliveryError?: (error: Error) => void;
  /** Telling the person's onboarding of their new application failed (the card sweep tells it later). */
  onOnboardingError?: (error: Error) => void;
}

export type SetupRequestOutcome = { outcome: 'answered'; message: string } | { outcome: 'throttled'; message: string };

export type SetupConfirmation =
  | { outcome: 'logged_in'; userId: string; organisationId: string }
  | { outcome: 'invalid'; message: string };

export function createReferentFirstLogin(deps: ReferentFirstLoginDeps) {
  return {
    /**
     * The page « Première connexion »: e-mails a setup link to the address when it is a référent without a
     * means of login, else nothing; the answer is the same. Each request counts as an attempt (its answer
     * never says whether it was right), so one client cannot spray addresses nor flood a mailbox.
     */
    async requestSetupLink(input: { email: string; ip: string }): Promise<SetupRequestOutcome> {
      const email = normaliseEmail(input.email);
      const attempt: LoginAttempt = { key: setupKey(email), ip: input.ip };
      const throttled = await tooManyFailures(attempt);
      await recordFailure(attempt);
      if (throttled) return { outcome: 'throttled', message: LOGIN_THROTTLED };
      const answered = { outcome: 'answered', message: SETUP_REQUEST_ANSWER } as const;

      const referent = await referentWithoutDevice({ email });
      if (!referent) return answered;
      const recent = await SetupLink.count({ where: { userId: referent.userId, createdAt: { [Op.gt]: new Date(Date.now() - 3_600_000) } } });
      if (recent >= SETUP_EMAILS_PER_HOUR) return answered;

      const idempotencyKey = await deps.sequelize.transaction(async (transaction) => {
        const link = await issueSetupLink(deps.keys, referent, 'requested', transaction);
        const key = `setup-link/${link.id}`;
        await enqueueEmail({ render: deps.render }, {
          idempotencyKey: key, template: 'referent_setup_link', to: [referent.email],
          data: {
            recipientName: `${referent.firstName} ${referent.lastName}`, structureName: referent.organisationName,
            setupLink: { url: link.url, expiresAt: link.expiresAt.toISOString() },
          },
        }, transaction);
        return key;
      });
      // Not awaited: the answer takes no longer for a référent than for anyone else. A start that fails is
      // made by the housekeeping (the e-mail is stored).
      deps.lifecycles.sendEmail({ idempotencyKey }).catch((error: Error) => deps.onDeliveryError?.(error));
      return answered;
    },

    /** What the link's page shows (nothing is used). */
    openSetupLink(token: string): Promise<SetupLinkLookup> {
      return lookupSetupLink(deps.keys.secretsKey, token);
    },

    /**
     * A first code of the new application (its secret from the session). A wrong code throws the code field's
     * ValidationError and leaves the link as it was. A right one, in one transaction: the link used (once), the
     * application saved and journaled (card_association), the login journaled (connect_aidant). A link no
     * longer live, or a person who has a means of login by now, gets SETUP_LINK_NOT_WORKING.
     */
    async confirmSetup(input: { token: string; seedHex: string; code: string; ip: string }): Promise<SetupConfirmation> {
      const invalid = { outcome: 'invalid', message: SETUP_LINK_NOT_WORKING } as const;
      const step = firstApplicationStep(input.seedHex, input.code);
      let result: SetupConfirmation & { email?: string };
      try {
        result = await deps.sequelize.transaction(async (transaction): Promise<SetupConfirmation & { email?: string }> => {
          const link = await useSetupLink(deps.keys.secretsKey, input.token, transaction);
          if (!link) return invalid;
          const referent = await referentWithoutDevice({ userId: link.userId }, transaction);
          if (!referent) return invalid;
          const scope = { userId: referent.userId, organisationId: referent.organisationId, actorId: referent.userId };
          await saveApplication(deps.secrets, scope, input.seedHex, step, transaction, { via: 'setup_link' });
          await deps.sequelize.query('UPDATE users SET last_login_at = now(), current_organisation_id = :organisationId, updated_at = now() WHERE id = :userId', {
            replacements: scope, transaction,
          });
          await appendJournal({
            action: 'connect_aidant', actorId: referent.userId, organisationId: referent.organisationId, details: { ip: input.ip, via: 'setup_link' },
          }, transaction);
          return { outcome: 'logged_in', userId: referent.userId, organisationId: referent.organisationId, email: referent.email };
        });
      } catch (error) {
        // An application saved meanwhile (another tab): the person has a means of login now.
        if (error instanceof UniqueConstraintError) return invalid;
        throw error;
      }
      if (result.outcome !== 'logged_in') return result;
      await clearFailures({ key: setupKey(result.email!), ip: input.ip });
      // A référent who is also an aidant in onboarding: the application completes its card step.
      try {
        const { failures } = await tellOnboardingsOfValidatedCards({ sequelize: deps.sequelize, lifecycles: deps.lifecycles }, result.userId);
        if (failures[0]) deps.onOnboardingError?.(failures[0]);
      } catch (error) {
        deps.onOnboardingError?.(error as Error);
      }
      return { outcome: 'logged_in', userId: result.userId, organisationId: result.organisationId };
    },
  };
}

export type ReferentFirstLogin = ReturnType<typeof createReferentFirstLogin>;
