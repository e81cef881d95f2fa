// The attestations of a mandat of the aidant's current structure (index.ts mounts it under
// /espace-aidant/mandats behind requireLogin, requireAidant and the activity check):
//   GET /:mandatId/attestation       printable page        GET /:mandatId/attestation.pdf   the same as a PDF
//   GET /:mandatId/revocation        printable page        GET /:mandatId/revocation.pdf    the same as a PDF
// Another structure's mandat, a malformed id: 404. A mandat without any revocation has no revocation attestation (404).
import { Router, type Response } from 'express';
import { NotFoundError } from '../../domain/errors.js';
import { hasRevocation, mandatAttestation, type MandatAttestation } from '../../services/attestation.js';
import { verificationUrl } from '../../services/mandat-verification.js';
import { asyncRoute } from '../web/async-route.js';
import { csrfToken } from '../web/csrf.js';
import { mandatAttestationDocument, revocationAttestationDocument, type AttestationDocument } from './attestation-content.js';
import { attestationPage, MANDAT_NOT_FOUND, NOT_REVOKED } from './attestation-pages.js';
import { attestationPdf } from './attestation-pdf.js';
import type { EspaceDeps } from './index.js';
import { personOf } from './session.js';
import { usagerPath } from './usagers-pages.js';

type Kind = 'attestation' | 'revocation';
const FILE_NAMES: Record<Kind, string> = { attestation: 'attestation-mandat', revocation: 'attestation-revocation-mandat' };

export function attestationRouter(deps: EspaceDeps): Router {
  const router = Router();

  async function documentOf(res: Response, mandatId: string, kind: Kind): Promise<{ view: MandatAttestation; document: AttestationDocument; usagerId: string }> {
    const person = personOf(res);
    const view = await mandatAttestation(deps.sequelize, { organisationId: person.organisation.id, mandatId });
    if (!view) throw new NotFoundError(MANDAT_NOT_FOUND);
    if (kind === 'revocation' && !hasRevocation(view)) throw new NotFoundError(NOT_REVOKED);
    const url = verificationUrl(deps.config.http.publicUrl, deps.config.secrets.key, view.mandat.id);
    const document = kind === 'attestation' ? mandatAttestationDocument(view, url) : revocationAttestationDocument(view, url);
    return { view, document, usagerId: view.usagerId };
  }

  for (const kind of ['attestation', 'revocation'] as const) {
    router.get(`/:mandatId/${kind}`, asyncRoute(async (req, res) => {
      const { document, usagerId } = await documentOf(res, req.params.mandatId, kind);
      res.send(attestationPage(personOf(res), csrfToken(req, res, deps.secure), document, { pdf: `${req.baseUrl}/${req.params.mandatId}/${kind}.pdf`, back: usagerPath(usagerId) }));
    }));
    router.get(`/:mandatId/${kind}.pdf`, asyncRoute(async (req, res) => {
      const { view, document } = await documentOf(res, req.params.mandatId, kind);
      const pdf = await attestationPdf(document);
      res.setHeader('Content-Type', 'application/pdf');
      res.setHeader('Content-Disposition', `inline; filename="${FILE_NAMES[kind]}-${view.mandat.createdAt.toISOString().slice(0, 10)}.pdf"`);
      res.setHeader('Cache-Control', 'no-store');
      res.send(Buffer.from(pdf));
    }));
  }

  return router;
}
