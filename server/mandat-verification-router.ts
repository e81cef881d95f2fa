// The public verification of a mandat, where the QR code of its attestation leads (app.ts mounts it at
// /mandats/verification, no session, never cached nor indexed):
//   GET /mandats/verification/:token   whether the mandat exists and is in force, expired or revoked, with the
//                                      structure's name — nothing about the usager. Unknown: the same neutral 404.
import { Router } from 'express';
import { frenchDate, frenchDateTime } from '../domain/duration.js';
import { verifyMandat, type MandatVerification } from '../services/mandat-verification.js';
import type { AppDeps } from './app.js';
import { asyncRoute } from './web/async-route.js';
import { html } from './web/html.js';
import { layout } from './web/layout.js';

export const NO_MANDAT = 'Aucun mandat ne correspond';

function verdict(found: MandatVerification): { type: 'success' | 'warning' | 'error'; title: string; text: string } {
  switch (found.state) {
    case 'active': return { type: 'success', title: 'Mandat en cours', text: `Ce mandat est en cours, jusqu’au ${frenchDateTime(found.expiresAt)}.` };
    case 'expired': return { type: 'warning', title: 'Mandat expiré', text: `Ce mandat a expiré le ${frenchDate(found.expiresAt)} : il ne permet plus d’agir.` };
    case 'revoked': return { type: 'error', title: 'Mandat révoqué', text: `Ce mandat a été révoqué${found.revokedAt ? ` le ${frenchDate(found.revokedAt)}` : ''} : il ne permet plus d’agir.` };
  }
}

export function verificationPage(found: MandatVerification | null): string {
  const title = 'Vérification d’un mandat';
  const body = found
    ? (() => {
      const { type, title: heading, text } = verdict(found);
      return html`
        <div class="fr-alert fr-alert--${type} fr-mb-3w"><h2 class="fr-alert__title">${heading}</h2><p>${text}</p></div>
        <p>Structure mandataire : <strong>${found.organisationName}</strong>.</p>`;
    })()
    : html`<div class="fr-alert fr-alert--info fr-mb-3w"><h2 class="fr-alert__title">${NO_MANDAT}</h2>
        <p>Aucun mandat Aidants Connect ne correspond à cette adresse. Vérifiez qu’elle a été recopiée en entier.</p></div>`;
  return layout({ title }, html`
    <h1>${title}</h1>
    ${body}
    <p class="fr-text--sm">Cette page indique seulement si un mandat établi avec Aidants Connect existe et s’il est en cours, expiré ou révoqué.
      Pour toute question, adressez-vous à la structure mandataire.</p>`);
}

export function verificationRouter(deps: AppDeps): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    next();
  });
  router.get('/:token', asyncRoute(async (req, res) => {
    const found = await verifyMandat(deps.sequelize, deps.config.secrets.key, req.params.token);
    res.status(found ? 200 : 404).send(verificationPage(found));
  }));
  return router;
}
