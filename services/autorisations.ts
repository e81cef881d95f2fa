// The one answer to « may this aidant, in this structure, act for this usager on this démarche now? », used by
// the espace aidant and by the identity provider. One indexed query (mandats_usager_organisation, then the
// autorisations' (mandat_id, demarche) unique index and primary keys): no loop, no N+1.
import type { Sequelize, Transaction } from 'sequelize';
import { rawQuery } from '../db/raw-query.js';
import { isDemarche } from '../domain/demarches.js';
import { isUuid } from '../domain/uuid.js';

export interface ActingRequest {
  aidantId: string;
  /** The aidant's current structure: only its mandats count. */
  organisationId: string;
  usagerId: string;
  demarche: string;
  /** Now unless told (tests). */
  at?: Date;
}

/** The autorisation that allows it, to journal its use (`use_autorisation`) and bind the connection to it. */
export interface ActingAutorisation {
  autorisationId: string;
  mandatId: string;
  expiresAt: Date;
}

/**
 * Allowed when there is an autorisation for the démarche, not revoked, of a mandat of THAT structure for that
 * usager, neither expired nor revoked as a whole (nor superseded), the démarche still among the structure's
 * allowed démarches, the structure active, and the aidant an active person with an active membership that can
 * create mandats. Any malformed input is simply not allowed. Returns null when not allowed.
 */
export async function findActingAutorisation(sequelize: Sequelize, request: ActingRequest, transaction?: Transaction): Promise<ActingAutorisation | null> {
  return (await findActingAutorisations(sequelize, request, [request.demarche], transaction)).get(request.demarche) ?? null;
}

/**
 * The same answer for several démarches at once (the identity provider's démarche page), in the same one query:
 * for each démarche allowed, its autorisation of the mandat expiring last. Démarches not allowed are absent.
 */
export async function findActingAutorisations(sequelize: Sequelize, request: Omit<ActingRequest, 'demarche'>, demarches: readonly string[], transaction?: Transaction): Promise<Map<string, ActingAutorisation>> {
  const asked = demarches.filter(isDemarche);
  if (![request.aidantId, request.organisationId, request.usagerId].every(isUuid) || asked.length === 0) return new Map();
  const { rows } = await rawQuery<{ demarche: string; autorisation_id: string; mandat_id: string; expires_at: Date }>(sequelize, `
    SELECT DISTINCT ON (a.demarche) a.demarche, a.id AS autorisation_id, m.id AS mandat_id, m.expires_at
    ${actingFrom({ aidantId: '$1', organisationId: '$2', usagerId: '$3', demarches: '$4::text[]', at: '$5' })}
    ORDER BY a.demarche, m.expires_at DESC`,
  [request.aidantId, request.organisationId, request.usagerId, asked, request.at ?? new Date()], transaction);
  return new Map(rows.map((row) => [row.demarche, { autorisationId: row.autorisation_id, mandatId: row.mandat_id, expiresAt: new Date(row.expires_at) }]));
}

/**
 * THE check as SQL, for the statements that must decide and write at once (the identity provider binds a
 * choice or journals a use in the same statement): the FROM … WHERE part, over `m` (mandats), `a`
 * (autorisations), `o`, `om`, `aidant` and `u` (usagers), each argument a SQL expression — a placeholder or a
 * column of the caller's statement, never a value. Without `usagerId`, every usager the aidant may act for.
 */
export function actingFrom(on: { aidantId: string; organisationId: string; usagerId?: string; demarches: string; at: string }): string {
  return `FROM mandats m
    JOIN autorisations a ON a.mandat_id = m.id AND a.demarche = ANY (${on.demarches}) AND a.revoked_at IS NULL
    JOIN organisations o ON o.id = m.organisation_id AND o.is_active AND a.demarche = ANY (o.allowed_demarches)
    JOIN organisation_memberships om ON om.organisation_id = m.organisation_id AND om.user_id = ${on.aidantId}
      AND om.is_active AND om.can_create_mandats
    JOIN users aidant ON aidant.id = om.user_id AND aidant.is_active
    JOIN usagers u ON u.id = m.usager_id AND u.anonymised_at IS NULL
    WHERE ${on.usagerId ? `m.usager_id = ${on.usagerId} AND ` : ''}m.organisation_id = ${on.organisationId}
      AND m.expires_at > ${on.at} AND m.status = 'active' AND m.revoked_at IS NULL`;
}

export async function mayActFor(sequelize: Sequelize, request: ActingRequest): Promise<boolean> {
  return (await findActingAutorisation(sequelize, request)) !== null;
}
