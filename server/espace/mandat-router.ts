// The mandat's creation and revocation in the espace aidant (index.ts mounts it under /espace-aidant/mandats
// behind requireLogin, requireAidant and the activity check for pages):
//   GET|POST /nouveau                the démarches and the duration; POST keeps the draft in the session
//                                    (etape=projet: then shows the printable draft instead of going on)
//   GET /nouveau/projet              [?langue=<BCP 47>] the printable draft of the choice, with a translation
//   GET /nouveau/franceconnect       a page that goes on (Refresh) to /nouveau/franceconnect/depart → FranceConnect
//                                    (CSP form-action forbids a posted form's redirects to leave the site)
//   GET|POST /recapitulatif          ?connexion=<id> back from FranceConnect: recap, consent, card code → created
//   GET /:mandatId/confirmation      the mandat just created (links to the usager and the attestation)
//   GET|POST /:mandatId/revoquer     [?demarche=…] confirmation, then the revocation through the mandat's workflow
import { Router, type Request, type Response } from 'express';
import { Autorisation, Connection, Mandat, Usager } from '../../db/models/index.js';
import { DomainError, InvalidTransitionError, NotFoundError } from '../../domain/errors.js';
import { isDemarche } from '../../domain/demarches.js';
import { mandatExpiry, offeredDemarches, parseMandatChoice } from '../../domain/mandat.js';
import { createFranceConnectClient, type FranceConnectClient } from '../../services/franceconnect-client.js';
import {
  createMandatFromIdentification, findPendingMandat, identificationProblem, IDENTIFICATION_REFUSALS, IdentificationUnusable,
} from '../../services/mandat-creation.js';
import { isUuid } from '../../domain/uuid.js';
import { findOfferedTranslation, offeredTranslations } from '../../services/mandat-translations.js';
import { asyncRoute } from '../web/async-route.js';
import { csrfToken, verifyCsrf } from '../web/csrf.js';
import { redirectToFranceConnect } from './franceconnect-router.js';
import type { EspaceDeps } from './index.js';
import {
  FRANCECONNECT_START_PATH, identificationUnusablePage, mandatCreatedPage, toFranceConnectPage, mandatSuccessPath, NEW_MANDAT_PATH, RECAP_ERRORS, RECAP_PATH, recapPage, revocationPage, newMandatPage,
} from './mandat-pages.js';
import { DRAFT_ERRORS, DRAFT_PATH, draftPage, draftUnavailablePage } from './mandat-draft-pages.js';
import { personOf, setNotice, takeNotice } from './session.js';
import { usagerPath } from './usagers-pages.js';

declare module 'express-session' {
  interface SessionData {
    /** The démarches and duration chosen, until the usager's identification starts (in that structure). */
    mandatDraft?: { demarches: string[]; duration: string; organisationId?: string };
  }
}

const MANDAT_NOT_FOUND = 'Ce mandat est introuvable ou n’appartient pas à votre structure active.';
const CODE = /^\d{6}$/;

export function mandatRouter(deps: EspaceDeps, client: FranceConnectClient = createFranceConnectClient({
  config: deps.config.franceconnect, secretsKey: deps.config.secrets.key, sequelize: deps.sequelize,
})): Router {
  const router = Router();
  const context = (req: Request, res: Response) => ({ csrf: csrfToken(req, res, deps.secure), notice: takeNotice(req) });
  const offered = (res: Response) => offeredDemarches(personOf(res).organisation.allowedDemarches);

  router.get('/nouveau', (req, res) => {
    const draft = req.session.mandatDraft;
    res.send(newMandatPage(personOf(res), context(req, res), offered(res), { demarches: draft?.demarches ?? [], duration: draft?.duration ?? '', errors: {} }));
  });

  router.post('/nouveau', verifyCsrf, (req, res) => {
    const person = personOf(res);
    const choice = parseMandatChoice(req.body ?? {}, person.organisation.allowedDemarches);
    if (!choice.value) {
      const sent = [req.body?.demarches ?? []].flat().filter((d): d is string => typeof d === 'string');
      const duration = typeof req.body?.duration === 'string' ? req.body.duration : '';
      res.status(400).send(newMandatPage(person, context(req, res), offered(res), { demarches: sent, duration, errors: choice.errors }));
      return;
    }
    req.session.mandatDraft = { ...choice.value, organisationId: person.organisation.id };
    res.redirect(303, req.body?.etape === 'projet' ? DRAFT_PATH : `${NEW_MANDAT_PATH}/franceconnect`);
  });

  // The printable draft of this aidant's current choice, in this structure, checked again (the structure's
  // démarches may have changed since); with one of the translations offered when asked.
  router.get('/nouveau/projet', asyncRoute(async (req, res) => {
    const person = personOf(res);
    const draft = req.session.mandatDraft;
    if (!draft || draft.organisationId !== person.organisation.id) {
      res.status(404).send(draftUnavailablePage(person, context(req, res), DRAFT_ERRORS.noChoice, NEW_MANDAT_PATH));
      return;
    }
    const choice = parseMandatChoice(draft, person.organisation.allowedDemarches);
    if (!choice.value) {
      res.status(409).send(draftUnavailablePage(person, context(req, res), DRAFT_ERRORS.staleChoice, NEW_MANDAT_PATH));
      return;
    }
    const asked = typeof req.query.langue === 'string' && req.query.langue !== '' ? req.query.langue : null;
    const translation = asked ? await findOfferedTranslation(asked) : null;
    const unknown = asked !== null && !translation;
    res.status(unknown ? 404 : 200).send(draftPage(person, context(req, res), {
      demarches: choice.value.demarches, duration: choice.value.duration, translations: await offeredTranslations(), translation,
      error: unknown ? DRAFT_ERRORS.unknownTranslation : undefined, newMandatPath: NEW_MANDAT_PATH, franceConnectPath: `${NEW_MANDAT_PATH}/franceconnect`,
    }));
  }));

  // The form's redirect chain may not leave the site (CSP form-action 'self' covers every redirect after a
  // post): this page starts a new navigation (Refresh header, or the button), which then goes to FranceConnect.
  router.get('/nouveau/franceconnect', (req, res) => {
    if (!req.session.mandatDraft) { res.redirect(303, NEW_MANDAT_PATH); return; }
    res.setHeader('Refresh', `0;url=${FRANCECONNECT_START_PATH}`);
    res.send(toFranceConnectPage(personOf(res), context(req, res)));
  });

  router.get('/nouveau/franceconnect/depart', asyncRoute(async (req, res) => {
    const draft = req.session.mandatDraft;
    if (!draft) { res.redirect(303, NEW_MANDAT_PATH); return; }
    await redirectToFranceConnect(client, req, res, { returnTo: RECAP_PATH, restartUrl: NEW_MANDAT_PATH, draft });
  }));

  /** The identification (or renewal) of this aidant in this structure, with its draft re-checked; a refusal page otherwise. */
  async function identification(req: Request, res: Response, connectionId: unknown) {
    const person = personOf(res);
    const found = typeof connectionId === 'string'
      ? await findPendingMandat(connectionId, { aidantId: person.user.id, organisationId: person.organisation.id }) : null;
    if (!found) throw new IdentificationUnusable('unknown');
    const choice = parseMandatChoice({ demarches: found.demarches ?? [], duration: found.duration ?? undefined }, person.organisation.allowedDemarches);
    if (!choice.value) throw new NotFoundError(IDENTIFICATION_REFUSALS.unknown);
    return { found, choice: choice.value };
  }

  /** The session's draft is this identification's choice (same structure, démarches and duration). */
  const sameDraft = (req: Request, res: Response, choice: { demarches: string[]; duration: string }) => {
    const draft = req.session.mandatDraft;
    return Boolean(draft && draft.organisationId === personOf(res).organisation.id && draft.duration === choice.duration
      && [...draft.demarches].sort().join(',') === [...choice.demarches].sort().join(','));
  };

  const recapFacts = (req: Request, res: Response, found: Awaited<ReturnType<typeof identification>>) => ({
    connectionId: found.found.connectionId, usager: found.found.usager, demarches: found.choice.demarches, duration: found.choice.duration,
    expiresAt: mandatExpiry(new Date(), found.choice.duration), renewal: found.found.renewedFromId !== null,
    draftPath: sameDraft(req, res, found.choice) ? DRAFT_PATH : undefined,
  });

  /** Shows a refused identification (expired, used) as a page, any other error goes on. */
  const refusing = (fn: (req: Request, res: Response) => Promise<void>) => asyncRoute(async (req, res) => {
    try {
      await fn(req, res);
    } catch (error) {
      if (!(error instanceof IdentificationUnusable) || error.reason === 'unknown') throw error;
      res.status(error.httpStatus).send(identificationUnusablePage(personOf(res), context(req, res), error.message));
    }
  });

  /** Refuses an identification already used or expired (before asking a code); the creation checks again, locked. */
  async function usable(connectionId: string) {
    const connection = await Connection.findByPk(connectionId);
    const problem = connection ? identificationProblem(connection, new Date()) : 'unknown';
    if (problem) throw new IdentificationUnusable(problem);
  }

  router.get('/recapitulatif', refusing(async (req, res) => {
    const found = await identification(req, res, req.query.connexion);
    await usable(found.found.connectionId);
    res.send(recapPage(personOf(res), context(req, res), recapFacts(req, res, found), { consent: false, errors: {} }));
  }));

  router.post('/recapitulatif', verifyCsrf, refusing(async (req, res) => {
    const person = personOf(res);
    const found = await identification(req, res, req.body?.connexion);
    await usable(found.found.connectionId);
    const consent = req.body?.consent === 'oui';
    const code = typeof req.body?.code === 'string' ? req.body.code.trim() : '';
    const errors: Record<string, string> = {};
    if (!consent) errors.consent = RECAP_ERRORS.consent;
    let signingCard: { id: string; kind: string } | null = null;
    if (!CODE.test(code)) errors.code = RECAP_ERRORS.codeFormat;
    // The code is a one-time signature: checked (and spent) only once the rest is right.
    else if (!errors.consent) {
      signingCard = await deps.cardCodes.checkPersonCode(person.user.id, code);
      if (!signingCard) errors.code = RECAP_ERRORS.codeWrong;
    }
    if (Object.keys(errors).length) {
      res.status(400).send(recapPage(person, context(req, res), recapFacts(req, res, found), { consent, errors }));
      return;
    }
    const created = await createMandatFromIdentification(deps, {
      connectionId: found.found.connectionId, aidantId: person.user.id, organisationId: person.organisation.id, usagerId: found.found.usager.id,
      demarches: found.choice.demarches, duration: found.choice.duration, renewedFromId: found.found.renewedFromId, signingCard,
    });
    delete req.session.mandatDraft;
    setNotice(req, created.started
      ? { type: 'success', message: found.found.renewedFromId ? 'Le mandat a été renouvelé.' : 'Le mandat a été créé.' }
      : { type: 'info', message: 'Le mandat a été créé. Ses rappels d’échéance seront programmés dès que le service de suivi répondra à nouveau.' });
    res.redirect(303, mandatSuccessPath(created.mandat.id));
  }));

  /** A mandat of the aidant's current structure with its usager and autorisations, or a 404. */
  async function mandatOf(res: Response, mandatId: string) {
    if (!isUuid(mandatId)) throw new NotFoundError(MANDAT_NOT_FOUND);
    const mandat = await Mandat.findOne({
      where: { id: mandatId, organisationId: personOf(res).organisation.id }, include: [{ model: Autorisation, as: 'autorisations' }],
    }) as (Mandat & { autorisations: Autorisation[] }) | null;
    const usager = mandat ? await Usager.findByPk(mandat.usagerId) : null;
    if (!mandat || !usager || usager.anonymisedAt) throw new NotFoundError(MANDAT_NOT_FOUND);
    return { mandat, usager };
  }

  router.get('/:mandatId/confirmation', asyncRoute(async (req, res) => {
    const { mandat, usager } = await mandatOf(res, req.params.mandatId);
    res.send(mandatCreatedPage(personOf(res), context(req, res), {
      mandatId: mandat.id, usagerId: usager.id, usager, duration: mandat.duration, createdAt: mandat.createdAt, expiresAt: mandat.expiresAt,
      demarches: mandat.autorisations.map((a) => a.demarche).sort(),
    }));
  }));

  const revocationFacts = (found: Awaited<ReturnType<typeof mandatOf>>, demarche: unknown) => {
    const { mandat, usager } = found;
    if (demarche !== undefined && (!isDemarche(demarche) || !mandat.autorisations.some((a) => a.demarche === demarche))) throw new NotFoundError(MANDAT_NOT_FOUND);
    return {
      mandatId: mandat.id, usagerId: usager.id, usagerName: `${usager.givenName} ${usager.familyName}`, demarche: demarche as never,
      demarches: mandat.autorisations.filter((a) => !a.revokedAt).map((a) => a.demarche).sort(),
    };
  };

  router.get('/:mandatId/revoquer', asyncRoute(async (req, res) => {
    const facts = revocationFacts(await mandatOf(res, req.params.mandatId), req.query.demarche);
    res.send(revocationPage(personOf(res), context(req, res), facts));
  }));

  router.post('/:mandatId/revoquer', verifyCsrf, asyncRoute(async (req, res) => {
    const person = personOf(res);
    const facts = revocationFacts(await mandatOf(res, req.params.mandatId), req.body?.demarche);
    try {
      if (facts.demarche) await deps.lifecycles.revokeAutorisation(facts.mandatId, facts.demarche, person.user.id);
      else await deps.lifecycles.revokeMandat(facts.mandatId, person.user.id);
    } catch (error) {
      if (!(error instanceof InvalidTransitionError) && !(error instanceof DomainError)) throw error;
      res.status(409).send(revocationPage(person, context(req, res), { ...facts, error: error.message }));
      return;
    }
    setNotice(req, { type: 'success', message: facts.demarche ? 'La démarche a été révoquée.' : 'Le mandat a été révoqué.' });
    res.redirect(303, usagerPath(facts.usagerId));
  }));

  return router;
}
