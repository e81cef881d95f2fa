// Transactional e-mail templates: each returns its subject, its MJML body and a plain-text version.
// Values are escaped here; links come from the server's public URL.
import { escapeHtml as e } from './escape.js';

const button = (href: string, label: string) =>
  `<mj-button href="${e(href)}" background-color="#000091" color="#ffffff" border-radius="0" align="left">${e(label)}</mj-button>`;
const p = (html: string) => `<mj-text>${html}</mj-text>`;

export const TEMPLATES = {
  habilitation_request_submitted: (d: { issuerName: string; structureName: string; requestUrl: string }) => ({
    subject: 'Aidants Connect - Votre demande d’habilitation a été soumise',
    body: [
      p(`Bonjour ${e(d.issuerName)},`),
      p(`Votre demande d’habilitation pour la structure <strong>${e(d.structureName)}</strong> a bien été transmise à l’équipe Aidants Connect. Le comité de l’ANCT va l’examiner ; vous serez informé(e) de sa décision par e-mail.`),
      p('Vous pouvez suivre votre demande et échanger avec l’équipe à tout moment :'),
      button(d.requestUrl, 'Suivre ma demande'),
    ].join('\n'),
    text: `Bonjour ${d.issuerName},\n\nVotre demande d’habilitation pour la structure « ${d.structureName} » a bien été transmise à l’équipe Aidants Connect. Le comité de l’ANCT va l’examiner ; vous serez informé(e) de sa décision par e-mail.\n\nSuivre ma demande : ${d.requestUrl}`,
  }),

  habilitation_comite_reminder: (d: { structureName: string; waitingDays: number; adminUrl: string }) => ({
    subject: `[Aidants Connect] Demande d’habilitation en attente depuis ${d.waitingDays} jours`,
    body: [
      p(`La demande d’habilitation de la structure <strong>${e(d.structureName)}</strong> attend la décision du comité depuis ${d.waitingDays} jours.`),
      button(d.adminUrl, 'Examiner la demande'),
    ].join('\n'),
    text: `La demande d’habilitation de la structure « ${d.structureName} » attend la décision du comité depuis ${d.waitingDays} jours.\n\nExaminer la demande : ${d.adminUrl}`,
  }),

  habilitation_request_validated: (d: { recipientName: string; structureName: string; habilitationNumber: string; motif: string; requestUrl: string }) => ({
    subject: `Aidants Connect - La demande d’habilitation n° ${d.habilitationNumber} a été acceptée`,
    body: [
      p(`Bonjour ${e(d.recipientName)},`),
      p(`Le comité de l’ANCT a validé l’éligibilité de la structure <strong>${e(d.structureName)}</strong> (habilitation n° ${e(d.habilitationNumber)}).`),
      p(`Les aidants à former vont recevoir une invitation : ils doivent suivre la formation Aidants Connect <strong>dans un délai de deux mois</strong>.`),
      p(`Message du comité : ${e(d.motif)}`),
      button(d.requestUrl, 'Voir la demande'),
    ].join('\n'),
    text: `Bonjour ${d.recipientName},\n\nLe comité de l’ANCT a validé l’éligibilité de la structure « ${d.structureName} » (habilitation n° ${d.habilitationNumber}).\nLes aidants à former doivent suivre la formation dans un délai de deux mois.\n\nMessage du comité : ${d.motif}\n\nVoir la demande : ${d.requestUrl}`,
  }),

  habilitation_request_refused: (d: { recipientName: string; structureName: string; motif: string }) => ({
    subject: 'Aidants Connect - Votre demande d’habilitation a été refusée',
    body: [
      p(`Bonjour ${e(d.recipientName)},`),
      p(`Après examen, le comité de l’ANCT n’a pas validé la demande d’habilitation de la structure <strong>${e(d.structureName)}</strong>.`),
      p(`Motif : ${e(d.motif)}`),
      p('Vous disposez d’un délai de deux mois à compter de la réception de ce message pour former un recours gracieux auprès de l’ANCT.'),
    ].join('\n'),
    text: `Bonjour ${d.recipientName},\n\nAprès examen, le comité de l’ANCT n’a pas validé la demande d’habilitation de la structure « ${d.structureName} ».\nMotif : ${d.motif}\n\nVous disposez d’un délai de deux mois à compter de la réception de ce message pour former un recours gracieux auprès de l’ANCT.`,
  }),

  habilitation_changes_required: (d: { issuerName: string; structureName: string; motif: string; requestUrl: string }) => ({
    subject: 'Aidants Connect - Vous avez reçu un nouveau message de l’équipe Aidants Connect',
    body: [
      p(`Bonjour ${e(d.issuerName)},`),
      p(`L’équipe Aidants Connect demande des modifications sur la demande d’habilitation de <strong>${e(d.structureName)}</strong> :`),
      p(`<em>${e(d.motif)}</em>`),
      button(d.requestUrl, 'Modifier ma demande'),
    ].join('\n'),
    text: `Bonjour ${d.issuerName},\n\nL’équipe Aidants Connect demande des modifications sur la demande d’habilitation de « ${d.structureName} » :\n${d.motif}\n\nModifier ma demande : ${d.requestUrl}`,
  }),
} as const;

export type TemplateName = keyof typeof TEMPLATES;
export type TemplateData<T extends TemplateName> = Parameters<(typeof TEMPLATES)[T]>[0];
