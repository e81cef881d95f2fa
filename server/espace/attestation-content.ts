// The content of an attestation of mandat, and of an attestation of revocation, as a list of blocks that the
// printable page (attestation-pages.ts) and the PDF (services/attestation-pdf.ts) both render: the same words
// on paper and on screen.
import { DEMARCHES } from '../../domain/demarches.js';
import { frenchDate, frenchDateTime } from '../../domain/duration.js';
import { MANDAT_DURATIONS, MANDAT_STATE_LABELS } from '../../domain/mandat.js';
import { mandatText } from '../../domain/mandat-text.js';
import type { MandatAttestation } from '../../services/attestation.js';
import { birthdateText } from './usagers-pages.js';

export type Block =
  | { kind: 'title'; text: string }
  | { kind: 'heading'; text: string }
  | { kind: 'subheading'; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'fields'; rows: [string, string][] }
  | { kind: 'list'; items: string[] }
  /** A hash or an address: printed whole, in a fixed-width font. */
  | { kind: 'code'; label: string; value: string }
  /** The QR code leading to `url`. */
  | { kind: 'qr'; url: string };

export interface AttestationDocument { title: string; blocks: Block[] }

const usagerName = (u: MandatAttestation['usager']) =>
  `${u.givenName} ${u.familyName}${u.preferredUsername && u.preferredUsername !== u.familyName ? ` (nom d’usage : ${u.preferredUsername})` : ''}`;
const aidantName = (a: MandatAttestation['aidant']) => `${a.firstName} ${a.lastName}${a.profession ? `, ${a.profession}` : ''}`;
const structureAddress = (o: MandatAttestation['organisation']) => [o.address, [o.zipcode, o.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
/** « 2026-03-23 » → « 23/03/2026 ». */
const versionDate = (version: string) => (/^\d{4}-\d{2}-\d{2}$/.test(version) ? version.split('-').reverse().join('/') : version);

function parties(view: MandatAttestation): Block[] {
  return [
    { kind: 'heading', text: 'Les parties' },
    { kind: 'fields', rows: [
      ['Usager (mandant)', usagerName(view.usager)],
      ['Date de naissance', birthdateText(view.usager.birthdate)],
      ['Structure (mandataire)', view.organisation.name],
      ['Adresse de la structure', structureAddress(view.organisation) || '—'],
      ...(view.organisation.habilitationNumber ? [['Numéro d’habilitation', view.organisation.habilitationNumber] as [string, string]] : []),
      ['Aidant ayant établi le mandat', aidantName(view.aidant)],
    ] },
  ];
}

function verification(view: MandatAttestation, url: string): Block[] {
  return [
    { kind: 'heading', text: 'Vérification' },
    { kind: 'paragraph', text: 'Ce code QR mène à la page publique qui indique si ce mandat est en cours, expiré ou révoqué.' },
    { kind: 'qr', url },
    { kind: 'code', label: 'Adresse de vérification', value: url },
    { kind: 'code', label: 'Empreinte de l’attestation (SHA-256)', value: view.mandat.attestationHash },
    { kind: 'code', label: `Empreinte du texte du mandat, version du ${versionDate(view.mandat.textVersion)} (SHA-256)`, value: view.mandat.templateHash },
  ];
}

function stateText(view: MandatAttestation): string {
  const { mandat } = view;
  if (mandat.state === 'revoked' && mandat.revocationDate) return `${MANDAT_STATE_LABELS.revoked} le ${frenchDateTime(mandat.revocationDate)}`;
  if (mandat.state === 'expired') return `${MANDAT_STATE_LABELS.expired} le ${frenchDateTime(mandat.expiresAt)}`;
  return 'En cours';
}

export function mandatAttestationDocument(view: MandatAttestation, verificationUrl: string): AttestationDocument {
  const text = mandatText(view.mandat.textVersion);
  const demarches = view.autorisations.map((a) => (a.revokedAt
    ? `${DEMARCHES[a.demarche].titre} (révoquée le ${frenchDate(a.revokedAt)})`
    : DEMARCHES[a.demarche].titre));
  return {
    title: 'Attestation de mandat',
    blocks: [
      { kind: 'title', text: 'Attestation de mandat' },
      { kind: 'paragraph', text: `${text.title}. Texte du mandat : version du ${versionDate(text.version)}.` },
      ...parties(view),
      { kind: 'heading', text: 'Démarches couvertes' },
      { kind: 'list', items: demarches },
      { kind: 'heading', text: 'Durée et dates' },
      { kind: 'fields', rows: [
        ['Durée', `Mandat ${MANDAT_DURATIONS[view.mandat.duration].text}`],
        ['Signé le', frenchDateTime(view.mandat.createdAt)],
        ['Expire le', frenchDateTime(view.mandat.expiresAt)],
        ['État', stateText(view)],
      ] },
      { kind: 'heading', text: 'Texte du mandat' },
      { kind: 'subheading', text: text.title },
      ...text.sections.flatMap((section): Block[] => [
        { kind: 'subheading', text: section.heading },
        ...section.paragraphs.map((paragraph): Block => ({ kind: 'paragraph', text: paragraph })),
      ]),
      ...verification(view, verificationUrl),
    ],
  };
}

export function revocationAttestationDocument(view: MandatAttestation, verificationUrl: string): AttestationDocument {
  const revoked = view.autorisations.filter((a) => a.revokedAt);
  const kept = view.autorisations.filter((a) => !a.revokedAt);
  const whole = kept.length === 0 || view.mandat.revokedAt !== null;
  return {
    title: 'Attestation de révocation de mandat',
    blocks: [
      { kind: 'title', text: 'Attestation de révocation de mandat' },
      { kind: 'paragraph', text: whole
        ? `La structure ${view.organisation.name} atteste que le mandat décrit ci-dessous a été révoqué${view.mandat.revocationDate ? ` le ${frenchDateTime(view.mandat.revocationDate)}` : ''} : elle ne peut plus agir au nom de l’usager au titre de ce mandat.`
        : `La structure ${view.organisation.name} atteste que le mandat décrit ci-dessous a été révoqué pour une partie de ses démarches : elle ne peut plus agir au nom de l’usager pour les démarches révoquées.` },
      ...parties(view),
      { kind: 'heading', text: 'Le mandat' },
      { kind: 'fields', rows: [
        ['Signé le', frenchDateTime(view.mandat.createdAt)],
        ['Expiration prévue', frenchDateTime(view.mandat.expiresAt)],
        ['Durée', `Mandat ${MANDAT_DURATIONS[view.mandat.duration].text}`],
        ['Texte du mandat', `version du ${versionDate(view.mandat.textVersion)}`],
      ] },
      { kind: 'heading', text: 'Démarches révoquées' },
      { kind: 'list', items: revoked.map((a) => `${DEMARCHES[a.demarche].titre} : révoquée le ${frenchDateTime(a.revokedAt!)}`
        + `${a.revokedByName ? ` par ${a.revokedByName}` : ''}${a.superseded ? ' (remplacée par un nouveau mandat)' : ''}`) },
      ...(kept.length && !whole ? [
        { kind: 'heading', text: 'Démarches toujours couvertes' } as Block,
        { kind: 'list', items: kept.map((a) => DEMARCHES[a.demarche].titre) } as Block,
      ] : []),
      { kind: 'paragraph', text: 'Le mandat peut être révoqué à tout moment par l’usager, sans motif ni frais (article 4 du texte du mandat).' },
      ...verification(view, verificationUrl),
    ],
  };
}
