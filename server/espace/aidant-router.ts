// The espace aidant: the home page after login, the structure switch, the CGU.
//   GET  /espace-aidant            home (index.ts applies requireLogin)
//   POST /espace-aidant/structure  work for another of one's structures (an active membership only; journaled)
//   POST /espace-aidant/cgu        accept the current CGU (journaled)
import { Router, type Request, type Response } from 'express';
import { Card, User } from '../../db/models/index.js';
import { NotFoundError } from '../../domain/errors.js';
import { CGU_VERSION } from '../../domain/espace.js';
import type { FieldErrors } from '../../domain/habilitation-form.js';
import { renderContext } from '../../emails/render.js';
import { appendJournal } from '../../services/journal.js';
import { asyncRoute } from '../web/async-route.js';
import { csrfToken, verifyCsrf } from '../web/csrf.js';
import { aidantHomePage } from './aidant-pages.js';
import type { EspaceDeps } from './index.js';
import { isUuid } from '../../domain/uuid.js';
import { personOf, setNotice, switchEspaceOrganisation, takeNotice } from './session.js';

const NOT_A_STRUCTURE_OF_YOURS = 'Cette structure n’existe pas ou vous n’en êtes pas membre actif.';

export function aidantRouter(deps: EspaceDeps): Router {
  const router = Router();
  const { contactEmail } = renderContext(deps.config.http.publicUrl);

  async function sendHome(req: Request, res: Response, cguErrors: FieldErrors = {}) {
    const person = personOf(res);
    const cards = await Card.findAll({ where: { aidantId: person.user.id }, order: [['kind', 'ASC'], ['linkedAt', 'ASC']] });
    res.send(aidantHomePage(person, { cards, contactEmail, cguErrors, notice: takeNotice(req), csrf: csrfToken(req, res, deps.secure) }));
  }

  router.get('/', asyncRoute((req, res) => sendHome(req, res)));

  router.post('/structure', verifyCsrf, asyncRoute(async (req, res) => {
    const person = personOf(res);
    const organisationId = String(req.body.organisationId ?? '');
    // person.memberships holds the active memberships of active structures only.
    const target = isUuid(organisationId) ? person.memberships.find((m) => m.organisationId === organisationId) : undefined;
    if (!target) throw new NotFoundError(NOT_A_STRUCTURE_OF_YOURS);
    if (target.organisationId !== person.organisation.id) {
      await deps.sequelize.transaction(async (transaction) => {
        await User.update({ currentOrganisationId: target.organisationId }, { where: { id: person.user.id }, transaction });
        await appendJournal({
          action: 'switch_organisation', actorId: person.user.id, organisationId: target.organisationId, details: { from: person.organisation.id },
        }, transaction);
      });
    }
    setNotice(req, { type: 'success', message: `Vous travaillez maintenant pour ${target.organisation.name}.` });
    await switchEspaceOrganisation(req, target.organisationId);
    res.redirect(303, '/espace-aidant');
  }));

  router.post('/cgu', verifyCsrf, asyncRoute(async (req, res) => {
    const person = personOf(res);
    if (req.body.acceptCgu !== 'on') {
      res.status(400);
      await sendHome(req, res, { acceptCgu: 'Cochez la case pour accepter les conditions générales d’utilisation.' });
      return;
    }
    if (person.user.acceptedCguVersion !== CGU_VERSION) {
      await deps.sequelize.transaction(async (transaction) => {
        await User.update({ acceptedCguVersion: CGU_VERSION }, { where: { id: person.user.id }, transaction });
        await appendJournal({ action: 'accept_cgu', actorId: person.user.id, organisationId: person.organisation.id, details: { version: CGU_VERSION } }, transaction);
      });
    }
    setNotice(req, { type: 'success', message: 'Merci : vous avez accepté les conditions générales d’utilisation.' });
    res.redirect(303, '/espace-aidant');
  }));

  return router;
}
