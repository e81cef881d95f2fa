// Public habilitation request: form → draft stored → its workflow started → private status page.
import { Router, type NextFunction, type Request, type Response } from 'express';
import { HabilitationRequest } from '../../db/models/index.js';
import { NotFoundError } from '../../domain/errors.js';
import { parseHabilitationRequest } from '../../domain/habilitation-form.js';
import { createRequestDraft } from '../../services/habilitation.js';
import type { AppDeps } from '../app.js';
import { csrfToken, verifyCsrf } from '../csrf.js';
import { errorPage } from '../pages/errors.js';
import { habilitationFormPage, requestStatusPage } from '../pages/habilitation.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const asyncRoute = (fn: (req: Request, res: Response) => Promise<void>) =>
  (req: Request, res: Response, next: NextFunction) => { fn(req, res).catch(next); };

export function habilitationRouter(deps: AppDeps): Router {
  const router = Router();
  const secure = deps.config.http.publicUrl.startsWith('https:');

  router.get('/', (req, res) => {
    res.send(habilitationFormPage({}, {}, csrfToken(req, res, secure)));
  });

  router.post('/', verifyCsrf, asyncRoute(async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const { value, errors } = parseHabilitationRequest(body);
    if (!value) {
      const values = Object.fromEntries(Object.entries(body).filter(([k, v]) => k !== '_csrf' && typeof v === 'string')) as Record<string, string>;
      res.status(400).send(habilitationFormPage(values, errors, csrfToken(req, res, secure)));
      return;
    }
    const request = await createRequestDraft(deps.sequelize, value);
    try {
      await deps.lifecycles.startHabilitationRequest(request.id);
    } catch (error) {
      // The draft is stored; the start-up sweep (resumeSubmittedDrafts) starts its lifecycle later.
      deps.log.error('could not start the habilitation workflow', { requestId: request.id, error: (error as Error).message });
      res.status(503).send(errorPage(503, `Votre demande est bien enregistrée, mais elle n’a pas encore pu être transmise au comité. Elle le sera automatiquement ; conservez ce lien pour la suivre : ${deps.config.http.publicUrl}/habilitation/demandes/${request.id}`));
      return;
    }
    res.redirect(303, `/habilitation/demandes/${request.id}`);
  }));

  router.get('/demandes/:id', asyncRoute(async (req, res) => {
    const id = req.params.id;
    const request = UUID.test(id) ? await HabilitationRequest.findByPk(id) : null;
    if (!request) throw new NotFoundError('Cette demande d’habilitation est introuvable. Vérifiez le lien reçu par e-mail.');
    res.send(requestStatusPage(request));
  }));

  return router;
}
