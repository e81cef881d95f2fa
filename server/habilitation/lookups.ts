// The demandeur behind a space page (their session, checked by requireDemandeur before any /espace route)
// and the records its URLs name. A record id in a URL opens nothing by itself: a request that is not the
// session's demandeur's answers the same 404 as one that does not exist.
import type { NextFunction, Request, Response } from 'express';
import { HabilitationRequest } from '../../db/models/index.js';
import { NotFoundError } from '../../domain/errors.js';
import { currentDemandeur } from './demandeur-session.js';
import { newLinkNeededPage } from './demandeur-pages.js';
import { isUuid } from '../../domain/uuid.js';

export interface Demandeur { issuerId: string; linkId: string }

/** Every page and form of the space: a session opened by a link still valid, or the page to get a new link. */
export function requireDemandeur(req: Request, res: Response, next: NextFunction): void {
  currentDemandeur(req).then((demandeur) => {
    if (!demandeur) {
      res.status(403).send(newLinkNeededPage('session'));
      return;
    }
    res.locals.demandeur = demandeur;
    next();
  }, next);
}

export function demandeurOf(res: Response): Demandeur {
  const demandeur = res.locals.demandeur as Demandeur | undefined;
  if (!demandeur) throw new Error('requireDemandeur must run before the space routes');
  return demandeur;
}

/** One of the session's demandeur's requests. */
export async function ownRequest(res: Response, id: string): Promise<HabilitationRequest> {
  const { issuerId } = demandeurOf(res);
  const request = isUuid(id) ? await HabilitationRequest.findOne({ where: { id, issuerId } }) : null;
  if (!request) throw new NotFoundError('Cette demande d’habilitation est introuvable dans votre espace demandeur.');
  return request;
}
