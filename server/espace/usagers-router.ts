// The usagers of the aidant's current structure (index.ts mounts it behind requireLogin, requireAidant and the
// activity check for pages):
//   GET /espace-aidant/usagers              list: ?statut=actifs|expires|revoques, ?recherche=<name>
//   GET /espace-aidant/usagers/:usagerId    one usager's mandats with this structure, or 404
import { Router } from 'express';
import { NotFoundError } from '../../domain/errors.js';
import { listUsagers, usagerMandats, type UsagerTab } from '../../services/mandats.js';
import { asyncRoute } from '../web/async-route.js';
import { csrfToken } from '../web/csrf.js';
import type { EspaceDeps } from './index.js';
import { personOf, takeNotice } from './session.js';
import { TAB_PARAMS, USAGER_NOT_FOUND, usagerPage, usagersListPage } from './usagers-pages.js';

const tabOf = (param: unknown): UsagerTab =>
  (Object.keys(TAB_PARAMS) as UsagerTab[]).find((tab) => TAB_PARAMS[tab].param === param) ?? 'active';

export function usagersRouter(deps: EspaceDeps): Router {
  const router = Router();

  router.get('/', asyncRoute(async (req, res) => {
    const person = personOf(res);
    const tab = tabOf(req.query.statut);
    // A repeated or nested parameter is not a search.
    const search = typeof req.query.recherche === 'string' ? req.query.recherche.trim().slice(0, 200) : '';
    const list = await listUsagers(deps.sequelize, { organisationId: person.organisation.id, tab, search });
    res.send(usagersListPage(person, { csrf: csrfToken(req, res, deps.secure), notice: takeNotice(req) }, list, tab, search));
  }));

  router.get('/:usagerId', asyncRoute(async (req, res) => {
    const person = personOf(res);
    const found = await usagerMandats(deps.sequelize, { organisationId: person.organisation.id, usagerId: req.params.usagerId });
    if (!found) throw new NotFoundError(USAGER_NOT_FOUND);
    res.send(usagerPage(person, { csrf: csrfToken(req, res, deps.secure), notice: takeNotice(req) }, found));
  }));

  return router;
}
