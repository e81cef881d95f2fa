// Cards in the espace référent: link and validate a physical card, add a digital card, unlink; the référent's own application.
//   /espace-referent/aidants/:aidantId/carte                         the person's cards, what can be done
//     …/carte/physique, …/carte/valider, …/carte/supprimer            link by serial number, validate with a code, unlink with a reason
//     …/carte/application, …/carte/application/supprimer              add an application (QR code, first code), remove it
//   /espace-referent/mon-application, …/mon-application/supprimer     the référent's own application
// Every aidant id goes through findManagedAidant: another structure's aidant answers 404. A refusal about the
// person (deactivated, already carded, no card) goes back to their cards with the message; a faulty field is
// shown next to it with what was typed. An application's secret waits, sealed, in the session until a first
// code confirms it: only then is it saved.
import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { User } from '../../db/models/index.js';
import { InvalidTransitionError, ValidationError } from '../../domain/errors.js';
import type { FieldErrors } from '../../domain/habilitation-form.js';
import {
  applicationSecret, applicationUri, CARD_MESSAGES, cardsOf, confirmApplication, linkPhysicalCard, newApplicationSeed, removeApplication,
  tellOnboardingsOfValidatedCards, unlinkPhysicalCard, validatePhysicalCard, type CardScope,
} from '../../services/cards.js';
import { asyncRoute, postedValues } from '../web/async-route.js';
import { csrfToken, verifyCsrf } from '../web/csrf.js';
import type { Values } from '../web/form.js';
import {
  applicationPage, cardChoicePage, cardPath, linkCardPage, OWN_APPLICATION_PATH, ownApplicationPage, removeApplicationPage, unlinkCardPage,
  validateCardPage, type CardHolder, type PageContext,
} from './card-pages.js';
import type { EspaceDeps } from './index.js';
import { findManagedAidant } from './scope.js';
import { personOf, setNotice, takeNotice } from './session.js';

declare module 'express-session' {
  interface SessionData {
    /** Applications being added, until a first code confirms each: the secret (sealed) per person. */
    pendingApplications?: Record<string, string>;
  }
}

type Handler = (req: Request, res: Response, holder: CardHolder) => Promise<void>;

const MAX_PENDING_APPLICATIONS = 5;

export function cardRouter(deps: EspaceDeps): Router {
  const router = Router();
  const context = (req: Request, res: Response): PageContext => ({ person: personOf(res), csrf: csrfToken(req, res, deps.secure), notice: takeNotice(req) });
  const homeOf = (holder: CardHolder) => (holder.self ? OWN_APPLICATION_PATH : cardPath(holder.id));
  const scopeOf = (res: Response, holder: CardHolder): CardScope => {
    const person = personOf(res);
    return { userId: holder.id, organisationId: person.organisation.id, actorId: person.user.id };
  };

  async function managed(req: Request, res: Response): Promise<CardHolder> {
    const { user, membership } = await findManagedAidant(personOf(res), req.params.aidantId);
    return { id: user.id, name: `${user.firstName} ${user.lastName}`, active: user.isActive && membership.isActive, self: false };
  }

  function own(res: Response): CardHolder {
    const { user } = personOf(res);
    return { id: user.id, name: `${user.firstName} ${user.lastName}`, active: true, self: true };
  }

  /** A route about one person's cards; a refusal about that person goes back to their cards with the message. */
  const route = (holderOf: (req: Request, res: Response) => Promise<CardHolder> | CardHolder, handler: Handler) => asyncRoute(async (req, res) => {
    const holder = await holderOf(req, res);
    try {
      await handler(req, res, holder);
    } catch (error) {
      if (!(error instanceof InvalidTransitionError)) throw error;
      back(req, res, holder, 'error', error.message);
    }
  });

  function back(req: Request, res: Response, holder: CardHolder, type: 'success' | 'info' | 'error', message: string): void {
    setNotice(req, { type, message });
    res.redirect(303, homeOf(holder));
  }

  /** A form's field errors: the page again (400) with what was typed; anything else goes on. */
  async function orFormErrors(action: () => Promise<void>, render: (errors: FieldErrors) => string | Promise<string>, res: Response): Promise<void> {
    try {
      await action();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      res.status(400).send(await render(error.fieldErrors));
    }
  }

  /**
   * After a validation (card or application): tells the person's onboarding that the card step is done. When
   * Temporal cannot take it now, the card stays validated and the sweep (startCardValidationSweep) tells it later.
   */
  async function prepared(holder: CardHolder, done: string): Promise<string> {
    try {
      const { failures } = await tellOnboardingsOfValidatedCards({ sequelize: deps.sequelize, lifecycles: deps.lifecycles }, holder.id);
      if (failures.length === 0) return done;
      deps.log.warn('an onboarding could not be told of a validated card yet', { userId: holder.id, error: failures[0].message });
    } catch (error) {
      deps.log.warn('an onboarding could not be told of a validated card yet', { userId: holder.id, error: (error as Error).message });
    }
    return `${done} ${holder.self ? 'Votre' : 'Son'} habilitation sera mise à jour dans quelques minutes.`;
  }

  // --- The person's cards ----------------------------------------------------------------------------------

  router.get('/aidants/:aidantId/carte', route(managed, async (req, res, holder) => {
    res.send(cardChoicePage(context(req, res), holder, await cardsOf(holder.id)));
  }));

  // --- Physical card: link, validate, unlink ---------------------------------------------------------------

  /** Whether a physical card can be linked to the person now; the refusal otherwise. */
  async function assertCanLink(holder: CardHolder): Promise<void> {
    if (!holder.active) throw new InvalidTransitionError(CARD_MESSAGES.deactivated);
    if ((await cardsOf(holder.id)).physical) throw new InvalidTransitionError(CARD_MESSAGES.alreadyCarded);
  }

  router.get('/aidants/:aidantId/carte/physique', route(managed, async (req, res, holder) => {
    await assertCanLink(holder);
    res.send(linkCardPage(context(req, res), holder, {}, {}));
  }));

  router.post('/aidants/:aidantId/carte/physique', verifyCsrf, route(managed, async (req, res, holder) => {
    const values: Values = postedValues(req.body);
    await orFormErrors(async () => {
      const card = await linkPhysicalCard(deps.sequelize, scopeOf(res, holder), values.serialNumber ?? '');
      setNotice(req, { type: 'success', message: `La carte n° ${card.serialNumber} est associée à ${holder.name}. Validez-la maintenant avec un code qu’elle affiche.` });
      res.redirect(303, cardPath(holder.id, '/valider'));
    }, (errors) => linkCardPage(context(req, res), holder, values, errors), res);
  }));

  /** The person's linked card, not yet validated, or the refusal. */
  async function cardToValidate(holder: CardHolder) {
    const card = (await cardsOf(holder.id)).physical;
    if (!card) throw new InvalidTransitionError(CARD_MESSAGES.noPhysicalCard);
    if (!card.validatedAt && !holder.active) throw new InvalidTransitionError(CARD_MESSAGES.deactivated);
    return card;
  }

  router.get('/aidants/:aidantId/carte/valider', route(managed, async (req, res, holder) => {
    const card = await cardToValidate(holder);
    if (card.validatedAt) return back(req, res, holder, 'info', `La carte n° ${card.serialNumber} est déjà validée.`);
    res.send(validateCardPage(context(req, res), holder, card.serialNumber ?? '', {}, {}));
  }));

  router.post('/aidants/:aidantId/carte/valider', verifyCsrf, route(managed, async (req, res, holder) => {
    const values: Values = postedValues(req.body);
    const card = await cardToValidate(holder);
    await orFormErrors(async () => {
      await validatePhysicalCard({ sequelize: deps.sequelize, cardCodes: deps.cardCodes }, scopeOf(res, holder), values.code ?? '');
      back(req, res, holder, 'success', await prepared(holder, `Le compte de ${holder.name} a été préparé avec succès.`));
    }, (errors) => validateCardPage(context(req, res), holder, card.serialNumber ?? '', values, errors), res);
  }));

  router.get('/aidants/:aidantId/carte/supprimer', route(managed, async (req, res, holder) => {
    const card = (await cardsOf(holder.id)).physical;
    if (!card) throw new InvalidTransitionError(CARD_MESSAGES.noPhysicalCard);
    res.send(unlinkCardPage(context(req, res), holder, card.serialNumber ?? '', {}, {}));
  }));

  router.post('/aidants/:aidantId/carte/supprimer', verifyCsrf, route(managed, async (req, res, holder) => {
    const values: Values = postedValues(req.body);
    const card = (await cardsOf(holder.id)).physical;
    if (!card) throw new InvalidTransitionError(CARD_MESSAGES.noPhysicalCard);
    await orFormErrors(async () => {
      await unlinkPhysicalCard(deps.sequelize, scopeOf(res, holder), values.reason, values.other);
      back(req, res, holder, 'success', `La carte n° ${card.serialNumber} ne permet plus à ${holder.name} de se connecter : elle retourne dans le stock.`);
    }, (errors) => unlinkCardPage(context(req, res), holder, card.serialNumber ?? '', values, errors), res);
  }));

  // --- Applications (digital cards) ------------------------------------------------------------------------

  /** The secret offered to this person in this session (the same until confirmed, so that a reload keeps the QR code valid). */
  function pendingSeed(req: Request, holder: CardHolder, create: boolean): string | null {
    const pending = req.session.pendingApplications ?? {};
    if (pending[holder.id]) return deps.secrets.open(pending[holder.id]);
    if (!create) return null;
    const seed = newApplicationSeed();
    // A few at most: the oldest offers are forgotten (their QR code is shown again with a new secret).
    const kept = Object.entries(pending).slice(-(MAX_PENDING_APPLICATIONS - 1));
    req.session.pendingApplications = { ...Object.fromEntries(kept), [holder.id]: deps.secrets.seal(seed) };
    return seed;
  }

  async function assertCanAddApplication(holder: CardHolder): Promise<void> {
    if ((await cardsOf(holder.id)).digital) throw new InvalidTransitionError(CARD_MESSAGES.applicationExists);
    if (!holder.active) throw new InvalidTransitionError(CARD_MESSAGES.deactivated);
  }

  async function showApplication(req: Request, res: Response, holder: CardHolder, seed: string, values: Values, errors: FieldErrors): Promise<string> {
    const uri = applicationUri(seed, holder.self ? personOf(res).user.email : await emailOf(holder.id));
    const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    return applicationPage(context(req, res), holder, { qrSvg, secret: applicationSecret(seed), uri }, values, errors);
  }

  const emailOf = async (userId: string) => (await User.findByPk(userId, { attributes: ['email'] }))?.email ?? userId;

  const addApplicationPage: Handler = async (req, res, holder) => {
    await assertCanAddApplication(holder);
    res.send(await showApplication(req, res, holder, pendingSeed(req, holder, true)!, {}, {}));
  };

  const confirmApplicationForm: Handler = async (req, res, holder) => {
    const values: Values = postedValues(req.body);
    await assertCanAddApplication(holder);
    const seed = pendingSeed(req, holder, false);
    if (!seed) {
      setNotice(req, { type: 'error', message: 'Le QR code a changé : scannez celui-ci avec l’application, puis saisissez le code qu’elle affiche.' });
      return res.redirect(303, holder.self ? OWN_APPLICATION_PATH : cardPath(holder.id, '/application'));
    }
    await orFormErrors(async () => {
      await confirmApplication({ sequelize: deps.sequelize, secrets: deps.secrets }, scopeOf(res, holder), seed, values.code ?? '');
      delete req.session.pendingApplications?.[holder.id];
      back(req, res, holder, 'success', await prepared(holder, holder.self ? 'Votre application est enregistrée.' : `L’application de ${holder.name} est enregistrée : son compte a été préparé avec succès.`));
    }, (errors) => showApplication(req, res, holder, seed, values, errors), res);
  };

  const removeApplicationConfirmation: Handler = async (req, res, holder) => {
    if (!(await cardsOf(holder.id)).digital) throw new InvalidTransitionError(CARD_MESSAGES.noApplication);
    res.send(removeApplicationPage(context(req, res), holder));
  };

  const removeApplicationForm: Handler = async (req, res, holder) => {
    await removeApplication(deps.sequelize, scopeOf(res, holder));
    back(req, res, holder, 'success', holder.self ? 'Votre application a été supprimée.' : `L’application de ${holder.name} a été supprimée.`);
  };

  router.get('/aidants/:aidantId/carte/application', route(managed, addApplicationPage));
  router.post('/aidants/:aidantId/carte/application', verifyCsrf, route(managed, confirmApplicationForm));
  router.get('/aidants/:aidantId/carte/application/supprimer', route(managed, removeApplicationConfirmation));
  router.post('/aidants/:aidantId/carte/application/supprimer', verifyCsrf, route(managed, removeApplicationForm));

  // --- The référent's own application ----------------------------------------------------------------------

  router.get('/mon-application', route((_req, res) => own(res), async (req, res, holder) => {
    const { digital } = await cardsOf(holder.id);
    if (digital) return void res.send(ownApplicationPage(context(req, res), digital));
    await addApplicationPage(req, res, holder);
  }));
  router.post('/mon-application', verifyCsrf, route((_req, res) => own(res), async (req, res, holder) => {
    // Already added (a second tab, a double click): its page says so.
    if ((await cardsOf(holder.id)).digital) return back(req, res, holder, 'info', 'Votre application est déjà enregistrée.');
    await confirmApplicationForm(req, res, holder);
  }));
  router.get('/mon-application/supprimer', route((_req, res) => own(res), removeApplicationConfirmation));
  router.post('/mon-application/supprimer', verifyCsrf, route((_req, res) => own(res), removeApplicationForm));

  return router;
}
