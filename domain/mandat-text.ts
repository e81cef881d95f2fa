// The legal text of the mandat, one entry per version. A version, once a mandat was signed with it, never
// changes: its SHA-256 is kept with each mandat (templateHash, domain/attestation.ts) and the attestation
// shows the version its usager agreed to. A new wording is a new version (and MANDAT_TEXT_VERSION follows).
// The parties, démarches and dates are not part of the text: the attestation prints them next to it.
import { MANDAT_TEXT_VERSION } from './mandat.js';

export interface MandatTextSection { heading: string; paragraphs: readonly string[] }
export interface MandatText { version: string; title: string; sections: readonly MandatTextSection[] }

const TEXT_2026_03_23: MandatText = {
  version: '2026-03-23',
  title: 'Mandat de représentation pour la réalisation de démarches administratives en ligne',
  sections: [
    {
      heading: 'Article 1 – Objet',
      paragraphs: [
        'Par le présent mandat, la personne désignée dans ce document comme « l’usager » (le mandant) confie à la structure habilitée '
        + 'Aidants Connect désignée dans ce document, représentée par ses aidants professionnels habilités (le mandataire), le soin de '
        + 'réaliser en son nom et pour son compte les démarches administratives en ligne relevant des domaines listés dans ce document.',
        'Le mandat est régi par les articles 1984 et suivants du code civil. Il est établi au moyen du service public numérique '
        + 'Aidants Connect, opéré par l’Agence nationale de la cohésion des territoires (ANCT).',
      ],
    },
    {
      heading: 'Article 2 – Étendue du mandat',
      paragraphs: [
        'Le mandataire ne peut agir que pour les démarches mentionnées dans ce document et pendant la durée indiquée. Toute démarche '
        + 'qui n’en relève pas nécessite un nouveau mandat.',
        'Le mandataire agit sur les instructions de l’usager et dans son seul intérêt. Il ne peut ni signer à sa place un document '
        + 'qui exige sa signature personnelle, ni disposer de ses fonds, ni accepter en son nom un engagement qu’il n’a pas approuvé.',
      ],
    },
    {
      heading: 'Article 3 – Durée',
      paragraphs: [
        'Le mandat prend effet à la date de sa signature et prend fin à la date d’expiration indiquée dans ce document, sauf '
        + 'révocation antérieure. Il peut être renouvelé avec l’accord de l’usager.',
      ],
    },
    {
      heading: 'Article 4 – Droit de révocation',
      paragraphs: [
        'L’usager peut révoquer le mandat, en tout ou partie, à tout moment, sans avoir à en donner le motif et sans frais, en le '
        + 'demandant à la structure ou à l’un de ses aidants. La révocation prend effet immédiatement ; une attestation de révocation '
        + 'lui est remise sur demande.',
      ],
    },
    {
      heading: 'Article 5 – Engagements de l’aidant',
      paragraphs: [
        'L’aidant s’engage à : agir avec loyauté et diligence ; informer l’usager de chacune des démarches réalisées et de leur '
        + 'résultat ; respecter le secret professionnel et la confidentialité des informations dont il a connaissance ; ne jamais '
        + 'conserver les identifiants personnels de l’usager ; s’identifier avec sa carte Aidants Connect personnelle, qu’il ne prête '
        + 'à personne.',
        'Chaque connexion réalisée au titre du mandat est enregistrée dans le journal d’activité du service.',
      ],
    },
    {
      heading: 'Article 6 – Protection des données personnelles',
      paragraphs: [
        'Les données d’identité de l’usager transmises par FranceConnect et les informations relatives au mandat sont traitées par '
        + 'l’ANCT, responsable du traitement, aux seules fins de la gestion des mandats et de la traçabilité des démarches réalisées '
        + '(mission d’intérêt public, article 6-1-e du règlement général sur la protection des données). Elles ne sont accessibles '
        + 'qu’aux aidants de la structure mandataire et sont conservées pendant la durée du mandat puis pendant la durée nécessaire '
        + 'à la preuve des démarches réalisées.',
        'L’usager dispose d’un droit d’accès, de rectification, de limitation et d’opposition. Il peut l’exercer auprès de l’ANCT '
        + '(contact@aidantsconnect.beta.gouv.fr) et introduire une réclamation auprès de la CNIL.',
      ],
    },
    {
      heading: 'Article 7 – Consentement',
      paragraphs: [
        'L’usager déclare avoir pris connaissance du présent mandat et y consentir, après s’être identifié avec FranceConnect. '
        + 'L’aidant a confirmé cette signature avec sa carte Aidants Connect.',
      ],
    },
  ],
};

export const MANDAT_TEXTS: Readonly<Record<string, MandatText>> = { [TEXT_2026_03_23.version]: TEXT_2026_03_23 };

export function mandatText(version: string): MandatText {
  const text = Object.hasOwn(MANDAT_TEXTS, version) ? MANDAT_TEXTS[version] : undefined;
  if (!text) throw new Error(`unknown mandat text version ${version}`);
  return text;
}

/** The canonical form of a version's text (what its hash covers): title, then each heading and paragraph, one per line. */
export function mandatTextCanonical(version: string): string {
  const text = mandatText(version);
  return [text.title, ...text.sections.flatMap((section) => [section.heading, ...section.paragraphs])].join('\n');
}

export const currentMandatText = (): MandatText => mandatText(MANDAT_TEXT_VERSION);
