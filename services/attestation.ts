// What the attestation of a mandat (and of its revocation) shows, read for the aidant's current structure
// only: another structure's mandat, a malformed id or an anonymised usager give null (a 404 for the pages).
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Demarche } from '../domain/demarches.js';
import { mandatState, revocationDate, type MandatDuration, type MandatState, type MandatStatus } from '../domain/mandat.js';
import { isUuid } from '../domain/uuid.js';

export interface AttestationAutorisation {
  demarche: Demarche;
  revokedAt: Date | null;
  revokedByName: string | null;
  /** Revoked because a newer mandat of the structure covers the same démarche. */
  superseded: boolean;
}

export interface MandatAttestation {
  usagerId: string;
  mandat: {
    id: string; duration: MandatDuration; status: MandatStatus; createdAt: Date; expiresAt: Date; revokedAt: Date | null;
    textVersion: string; templateHash: string; attestationHash: string; state: MandatState;
    /** When it was revoked (as a whole or its last autorisation), null unless revoked. */
    revocationDate: Date | null;
  };
  usager: { givenName: string; familyName: string; preferredUsername: string | null; birthdate: string; birthplace: string | null };
  aidant: { firstName: string; lastName: string; profession: string | null };
  organisation: { name: string; address: string | null; zipcode: string | null; city: string | null; habilitationNumber: string | null };
  autorisations: AttestationAutorisation[];
}

interface Row {
  id: string; usager_id: string; duration: MandatDuration; status: MandatStatus; created_at: Date; expires_at: Date; revoked_at: Date | null; text_version: string;
  template_hash: string; attestation_hash: string;
  given_name: string; family_name: string; preferred_username: string | null; birthdate: string; birthplace: string | null;
  first_name: string; last_name: string; profession: string | null;
  organisation_name: string; address: string | null; zipcode: string | null; city: string | null; habilitation_number: string | null;
  autorisations: { id: string; demarche: Demarche; revokedAt: string | null; revokedByName: string | null }[] | null;
  superseded_ids: string[] | null;
}

export async function mandatAttestation(sequelize: Sequelize, options: { organisationId: string; mandatId: string; now?: Date }): Promise<MandatAttestation | null> {
  if (!isUuid(options.mandatId) || !isUuid(options.organisationId)) return null;
  const [row] = await sequelize.query<Row>(`
    SELECT m.id, m.usager_id, m.duration, m.status, m.created_at, m.expires_at, m.revoked_at, m.text_version, m.template_hash, m.attestation_hash,
           u.given_name, u.family_name, u.preferred_username, u.birthdate, u.birthplace,
           c.first_name, c.last_name, c.profession,
           o.name AS organisation_name, o.address, o.zipcode, o.city, o.habilitation_number,
           (SELECT json_agg(json_build_object('id', a.id, 'demarche', a.demarche, 'revokedAt', a.revoked_at,
                                              'revokedByName', trim(r.first_name || ' ' || r.last_name)) ORDER BY a.demarche)
              FROM autorisations a LEFT JOIN users r ON r.id = a.revoked_by_id WHERE a.mandat_id = m.id) AS autorisations,
           (SELECT array_agg(j.autorisation_id) FROM journal j
              WHERE j.mandat_id = m.id AND j.action = 'cancel_autorisation' AND j.details->>'reason' = 'superseded') AS superseded_ids
    FROM mandats m
    JOIN usagers u ON u.id = m.usager_id
    JOIN users c ON c.id = m.created_by_id
    JOIN organisations o ON o.id = m.organisation_id
    WHERE m.id = :mandatId AND m.organisation_id = :organisationId AND u.anonymised_at IS NULL`, {
    replacements: { mandatId: options.mandatId, organisationId: options.organisationId }, type: QueryTypes.SELECT,
  });
  if (!row) return null;
  const superseded = new Set(row.superseded_ids ?? []);
  const autorisations = (row.autorisations ?? []).map((a) => ({
    demarche: a.demarche, revokedAt: a.revokedAt ? new Date(a.revokedAt) : null, revokedByName: a.revokedAt ? a.revokedByName || null : null,
    superseded: superseded.has(a.id),
  }));
  const facts = { expiresAt: new Date(row.expires_at), revokedAt: row.revoked_at ? new Date(row.revoked_at) : null, status: row.status, autorisations };
  const state = mandatState(facts, options.now ?? new Date());
  return {
    usagerId: row.usager_id,
    mandat: {
      id: row.id, duration: row.duration, status: row.status, createdAt: new Date(row.created_at), expiresAt: facts.expiresAt, revokedAt: facts.revokedAt,
      textVersion: row.text_version, templateHash: row.template_hash, attestationHash: row.attestation_hash, state,
      revocationDate: state === 'revoked' ? revocationDate(facts) : null,
    },
    usager: { givenName: row.given_name, familyName: row.family_name, preferredUsername: row.preferred_username, birthdate: row.birthdate, birthplace: row.birthplace },
    aidant: { firstName: row.first_name, lastName: row.last_name, profession: row.profession },
    organisation: { name: row.organisation_name, address: row.address, zipcode: row.zipcode, city: row.city, habilitationNumber: row.habilitation_number },
    autorisations,
  };
}

/** Whether the mandat has a revocation to attest: revoked as a whole or at least one autorisation revoked. */
export const hasRevocation = (attestation: MandatAttestation): boolean =>
  attestation.mandat.revokedAt !== null || attestation.autorisations.some((a) => a.revokedAt !== null);
