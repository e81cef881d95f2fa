// Records named in URLs (private links): a malformed id is a 404 without touching the database, and a
// missing record a 404 with a French message saying what to check.
import { HabilitationRequest, Issuer } from '../../db/models/index.js';
import { NotFoundError } from '../../domain/errors.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function issuerFromUrl(id: string): Promise<Issuer> {
  const issuer = UUID.test(id) ? await Issuer.findByPk(id) : null;
  if (!issuer) throw new NotFoundError('Cet espace demandeur est introuvable. Vérifiez le lien reçu par e-mail.');
  return issuer;
}

export async function requestFromUrl(id: string): Promise<HabilitationRequest> {
  const request = UUID.test(id) ? await HabilitationRequest.findByPk(id) : null;
  if (!request) throw new NotFoundError('Cette demande d’habilitation est introuvable. Vérifiez le lien reçu par e-mail.');
  return request;
}
