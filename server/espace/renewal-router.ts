// A usager's mandat renewal in the espace aidant (index.ts mounts it under /espace-aidant/usagers behind
// requireLogin, requireAidant and the activity check):
//   GET|POST /:usagerId/renouveler   the démarches and the duration (the renewed mandat's by default); POST opens
//                                    the renewal (journaled) and goes straight to the recap: no FranceConnect.
// Refusals are the reference's: an unknown usager (or another structure's) is a 404; a usager whose mandats
// here all ended more than a year ago goes back to the list with « aucun mandat renouvelable ».
import { Router, type Request, type Response } from 'express';
import { InvalidTransitionError } from '../../domain/errors.js';
import { offeredDemarches, parseMandatChoice } from '../../domain/mandat.js';
import { renewableMandat, startRenewal } from '../../services/mandat-renewal.js';
import { asyncRoute } from '../web/async-route.js';
import { csrfToken, verifyCsrf } from '../web/csrf.js';
import type { EspaceDeps } from './index.js';
import { newMandatPage, RECAP_PATH, type ChoiceForm } from './mandat-pages.js';
import { personOf, setNotice, takeNotice } from './session.js';
import { USAGERS_PATH } from './usagers-pages.js';

export const renewalPath = (usagerId: string) => `${USAGERS_PATH}/${usagerId}/renouveler`;

export function renewalRouter(deps: EspaceDeps): Router {
  const router = Router();

  /** The renewable mandat, or a notice and a redirect (false) when the usager has none; unknown: 404 (thrown). */
  async function renewable(req: Request, res: Response) {
    const person = personOf(res);
    try {
      return await renewableMandat(deps.sequelize, { organisationId: person.organisation.id, usagerId: req.params.usagerId });
    } catch (error) {
      if (!(error instanceof InvalidTransitionError)) throw error;
      setNotice(req, { type: 'error', message: error.message });
      res.redirect(303, USAGERS_PATH);
      return null;
    }
  }

  const show = (req: Request, res: Response, found: NonNullable<Awaited<ReturnType<typeof renewable>>>, form: ChoiceForm) => {
    const person = personOf(res);
    const name = `${found.usager.givenName} ${found.usager.familyName}`;
    return newMandatPage(person, { csrf: csrfToken(req, res, deps.secure), notice: takeNotice(req) }, offeredDemarches(person.organisation.allowedDemarches), form, {
      action: renewalPath(found.usager.id), title: `Renouveler le mandat de ${name}`, submit: 'Continuer vers le récapitulatif',
      intro: 'Choisissez avec l’usager les démarches et la durée du nouveau mandat. L’usager est déjà connu de votre structure : '
        + 'il n’a pas besoin de s’identifier à nouveau avec FranceConnect. Le nouveau mandat remplacera les démarches du mandat en cours.',
    });
  };

  router.get('/:usagerId/renouveler', asyncRoute(async (req, res) => {
    const found = await renewable(req, res);
    if (!found) return;
    const allowed = personOf(res).organisation.allowedDemarches;
    res.send(show(req, res, found, {
      demarches: found.from.autorisations.map((a) => a.demarche).filter((d) => allowed.includes(d)), duration: found.from.duration, errors: {},
    }));
  }));

  router.post('/:usagerId/renouveler', verifyCsrf, asyncRoute(async (req, res) => {
    const found = await renewable(req, res);
    if (!found) return;
    const person = personOf(res);
    const choice = parseMandatChoice(req.body ?? {}, person.organisation.allowedDemarches);
    if (!choice.value) {
      const sent = [req.body?.demarches ?? []].flat().filter((d): d is string => typeof d === 'string');
      const duration = typeof req.body?.duration === 'string' ? req.body.duration : '';
      res.status(400).send(show(req, res, found, { demarches: sent, duration, errors: choice.errors }));
      return;
    }
    const renewal = await startRenewal(deps.sequelize, {
      aidantId: person.user.id, organisationId: person.organisation.id, usagerId: found.usager.id, choice: choice.value,
    });
    res.redirect(303, `${RECAP_PATH}?connexion=${renewal.connectionId}`);
  }));

  return router;
}
