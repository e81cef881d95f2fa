// Transactional e-mail templates: each returns its subject, its MJML body and a plain-text version.
// Values are escaped here; links come from the server's public URL.
import { escapeHtml as e } from './escape.js';
import { frenchDate } from '../domain/duration.js';

const button = (href: string, label: string) =>
  `<mj-button href="${e(href)}" background-color="#000091" color="#ffffff" border-radius="0" align="left">${e(label)}</mj-button>`;
const p = (html: string) => `<mj-text>${html}</mj-text>`;

export const TEMPLATES = {
  habilitation_email_confirmation: (d: { issuerName: string; confirmUrl: string; days: number }) => ({
    subject: 'Aidants Connect - Confirmez votre adresse e-mail pour votre demande d’habilitation',
    body: [
      p(`Bonjour ${e(d.issuerName)},`),
      p(`Pour commencer la demande d’habilitation de votre structure à Aidants Connect, confirmez votre adresse e-mail. Ce lien est valable ${d.days} jours.`),
      button(d.confirmUrl, 'Confirmer mon adresse e-mail'),
      p('Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : aucun compte ne sera créé.'),
    ].join('\n'),
    text: `Bonjour ${d.issuerName},\n\nPour commencer la demande d’habilitation de votre structure à Aidants Connect, confirmez votre adresse e-mail (lien valable ${d.days} jours) :\n${d.confirmUrl}\n\nSi vous n’êtes pas à l’origine de cette demande, ignorez ce message : aucun compte ne sera créé.`,
  }),

  habilitation_issuer_reminder: (d: { issuerName: string; spaceUrl: string; requests: { name: string; status: string; url: string }[] }) => ({
    subject: 'Aidants Connect - Rappel de votre profil demandeur',
    body: [
      p(`Bonjour ${e(d.issuerName)},`),
      p('Vous avez déjà un profil demandeur sur Aidants Connect. Depuis votre espace, vous pouvez reprendre vos demandes d’habilitation ou en commencer une nouvelle.'),
      button(d.spaceUrl, 'Accéder à mon espace demandeur'),
      p(d.requests.length > 0 ? `Vos demandes :<br/>${d.requests.map((r) => `<a href="${e(r.url)}">${e(r.name)}</a> (${e(r.status)})`).join('<br/>')}` : 'Vous n’avez pas encore de demande.'),
      p('Si vous n’êtes pas à l’origine de ce message, ignorez-le : rien n’a été modifié.'),
    ].join('\n'),
    text: `Bonjour ${d.issuerName},\n\nVous avez déjà un profil demandeur sur Aidants Connect. Votre espace demandeur : ${d.spaceUrl}\n\n${d.requests.map((r) => `- ${r.name} (${r.status}) : ${r.url}`).join('\n') || 'Vous n’avez pas encore de demande.'}\n\nSi vous n’êtes pas à l’origine de ce message, ignorez-le : rien n’a été modifié.`,
  }),

  habilitation_request_created: (d: { issuerName: string; structureName: string; requestUrl: string }) => ({
    subject: 'Aidants Connect - Votre demande d’habilitation a été créée',
    body: [
      p(`Bonjour ${e(d.issuerName)},`),
      p(`Le brouillon de la demande d’habilitation de <strong>${e(d.structureName)}</strong> est enregistré. Vous pouvez le compléter à tout moment avec ce lien personnel, puis le soumettre au comité de l’ANCT.`),
      button(d.requestUrl, 'Reprendre ma demande'),
    ].join('\n'),
    text: `Bonjour ${d.issuerName},\n\nLe brouillon de la demande d’habilitation de « ${d.structureName} » est enregistré. Vous pouvez le compléter à tout moment avec ce lien personnel, puis le soumettre au comité de l’ANCT :\n${d.requestUrl}`,
  }),

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

  habilitation_new_message: (d: { issuerName: string; structureName: string; message: string; requestUrl: string }) => ({
    subject: 'Aidants Connect - Vous avez reçu un nouveau message de l’équipe Aidants Connect',
    body: [
      p(`Bonjour ${e(d.issuerName)},`),
      p(`L’équipe Aidants Connect vous a écrit au sujet de la demande d’habilitation de <strong>${e(d.structureName)}</strong> :`),
      p(`<em>${e(d.message)}</em>`),
      button(d.requestUrl, 'Répondre depuis ma demande'),
    ].join('\n'),
    text: `Bonjour ${d.issuerName},\n\nL’équipe Aidants Connect vous a écrit au sujet de la demande d’habilitation de « ${d.structureName} » :\n${d.message}\n\nRépondre depuis votre demande : ${d.requestUrl}`,
  }),

  habilitation_demandeur_message: (d: { structureName: string; message: string; adminUrl: string }) => ({
    subject: `[Aidants Connect] Nouveau message du demandeur : ${d.structureName}`,
    body: [p(`Le demandeur de la structure <strong>${e(d.structureName)}</strong> a écrit :`), p(`<em>${e(d.message)}</em>`), button(d.adminUrl, 'Voir la demande')].join('\n'),
    text: `Le demandeur de la structure « ${d.structureName} » a écrit :\n${d.message}\n\nVoir la demande : ${d.adminUrl}`,
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
  onboarding_training_invitation: (d: { recipientName: string; aidantName: string; structureName: string; deadline: string; isAidant: boolean }) => ({
    subject: d.isAidant ? 'Aidants Connect - Inscrivez-vous à la formation des aidants' : `Aidants Connect - ${d.aidantName} doit suivre la formation des aidants`,
    body: [
      p(`Bonjour ${e(d.recipientName)},`),
      p(d.isAidant
        ? `L’éligibilité de votre structure <strong>${e(d.structureName)}</strong> a été validée. Pour devenir aidant habilité, vous devez suivre la formation Aidants Connect <strong>avant le ${e(d.deadline)}</strong>.`
        : `${e(d.aidantName)} doit suivre la formation Aidants Connect <strong>avant le ${e(d.deadline)}</strong> pour être habilité(e) au sein de <strong>${e(d.structureName)}</strong>.`),
      p('Passé ce délai de deux mois, la demande d’habilitation de l’aidant devra être renouvelée.'),
    ].join('\n'),
    text: `Bonjour ${d.recipientName},\n\n${d.isAidant ? `Vous devez suivre la formation Aidants Connect avant le ${d.deadline}` : `${d.aidantName} doit suivre la formation Aidants Connect avant le ${d.deadline}`} (structure « ${d.structureName} »).\nPassé ce délai de deux mois, la demande d’habilitation de l’aidant devra être renouvelée.`,
  }),

  onboarding_training_reminder: (d: { recipientName: string; aidantName: string; deadline: string; daysLeft: number }) => ({
    subject: `Aidants Connect - Formation à suivre avant le ${d.deadline}`,
    body: [
      p(`Bonjour ${e(d.recipientName)},`),
      p(`Il reste ${d.daysLeft} jours à ${e(d.aidantName)} pour suivre la formation Aidants Connect (date limite : <strong>${e(d.deadline)}</strong>).`),
    ].join('\n'),
    text: `Bonjour ${d.recipientName},\n\nIl reste ${d.daysLeft} jours à ${d.aidantName} pour suivre la formation Aidants Connect (date limite : ${d.deadline}).`,
  }),

  onboarding_lapsed: (d: { recipientName: string; aidantName: string; structureName: string; deadline: string }) => ({
    subject: `Aidants Connect - Délai de formation dépassé pour ${d.aidantName}`,
    body: [
      p(`Bonjour ${e(d.recipientName)},`),
      p(`${e(d.aidantName)} n’a pas suivi la formation Aidants Connect avant le ${e(d.deadline)} : sa demande d’habilitation au sein de <strong>${e(d.structureName)}</strong> n’est plus active.`),
      p('Pour la relancer, répondez à l’équipe Aidants Connect depuis le suivi de votre demande ou écrivez à contact@aidantsconnect.beta.gouv.fr : un nouveau délai de formation pourra être accordé.'),
    ].join('\n'),
    text: `Bonjour ${d.recipientName},\n\n${d.aidantName} n’a pas suivi la formation avant le ${d.deadline} : sa demande d’habilitation au sein de « ${d.structureName} » n’est plus active.\nPour la relancer, écrivez à contact@aidantsconnect.beta.gouv.fr : un nouveau délai de formation pourra être accordé.`,
  }),

  // A lapsed onboarding about to be closed by its lifecycle (closeDate: ISO 8601, shown in Europe/Paris).
  onboarding_lapsed_closing: (d: { recipientName: string; aidantName: string; structureName: string; closeDate: string }) => ({
    subject: `Aidants Connect - La demande d’habilitation de ${d.aidantName} va être close`,
    body: [
      p(`Bonjour ${e(d.recipientName)},`),
      p(`${e(d.aidantName)} n’a pas suivi la formation Aidants Connect dans le délai : sans nouveau délai accordé, sa demande d’habilitation au sein de <strong>${e(d.structureName)}</strong> sera close le ${e(frenchDate(new Date(d.closeDate)))}.`),
      p('Pour obtenir un nouveau délai de formation, écrivez à contact@aidantsconnect.beta.gouv.fr avant cette date.'),
    ].join('\n'),
    text: `Bonjour ${d.recipientName},\n\n${d.aidantName} n’a pas suivi la formation Aidants Connect dans le délai : sans nouveau délai accordé, sa demande d’habilitation au sein de « ${d.structureName} » sera close le ${frenchDate(new Date(d.closeDate))}.\nPour obtenir un nouveau délai de formation, écrivez à contact@aidantsconnect.beta.gouv.fr avant cette date.`,
  }),

  aidant_account_activated: (d: { aidantName: string; structureName: string }) => ({
    subject: 'Bienvenue parmi nos aidants habilités !',
    body: [
      p(`Bonjour ${e(d.aidantName)},`),
      p(`Votre formation est validée et votre compte Aidants Connect est activé au sein de <strong>${e(d.structureName)}</strong>.`),
      p('Votre carte Aidants Connect va être envoyée à votre structure ; votre référent l’associera à votre compte.'),
    ].join('\n'),
    text: `Bonjour ${d.aidantName},\n\nVotre formation est validée et votre compte Aidants Connect est activé au sein de « ${d.structureName} ».\nVotre carte va être envoyée à votre structure ; votre référent l’associera à votre compte.`,
  }),

  referent_aidant_activated: (d: { recipientName: string; aidantName: string }) => ({
    subject: `Aidants Connect — Le compte de ${d.aidantName} vient d’être activé !`,
    body: [
      p(`Bonjour ${e(d.recipientName)},`),
      p(`Le compte de ${e(d.aidantName)} vient d’être activé. Dès réception du kit de bienvenue, associez-lui sa carte depuis votre espace référent.`),
    ].join('\n'),
    text: `Bonjour ${d.recipientName},\n\nLe compte de ${d.aidantName} vient d’être activé. Dès réception du kit de bienvenue, associez-lui sa carte depuis votre espace référent.`,
  }),

  card_shipment_update: (d: { recipientName: string; aidantName: string; status: 'sent' | 'delivered' | 'lost' | 'returned'; trackingNumber: string | null }) => {
    const what = { sent: 'a été envoyé', delivered: 'a été livré', lost: 'a été perdu par le transporteur', returned: 'nous a été retourné' }[d.status];
    const next = d.status === 'delivered' ? 'Associez maintenant la carte à l’aidant depuis votre espace référent.' : d.status === 'sent' ? `Numéro de suivi : ${d.trackingNumber ?? ''}.` : 'L’équipe Aidants Connect prépare un nouvel envoi.';
    return {
      subject: `Aidants Connect - Le kit de bienvenue de ${d.aidantName} ${what}`,
      body: [p(`Bonjour ${e(d.recipientName)},`), p(`Le kit de bienvenue (carte Aidants Connect) de ${e(d.aidantName)} ${what}.`), p(e(next))].join('\n'),
      text: `Bonjour ${d.recipientName},\n\nLe kit de bienvenue (carte Aidants Connect) de ${d.aidantName} ${what}.\n${next}`,
    };
  },

  card_validated: (d: { recipientName: string; aidantName: string }) => ({
    subject: `Aidants Connect - ${d.aidantName} est prêt(e) à accompagner les usagers`,
    body: [p(`Bonjour ${e(d.recipientName)},`), p(`La carte de ${e(d.aidantName)} est associée et validée : son habilitation est terminée.`)].join('\n'),
    text: `Bonjour ${d.recipientName},\n\nLa carte de ${d.aidantName} est associée et validée : son habilitation est terminée.`,
  }),

  onboarding_cancelled: (d: { recipientName: string; aidantName: string; reason: string }) => ({
    subject: `Aidants Connect - Habilitation de ${d.aidantName} annulée`,
    body: [p(`Bonjour ${e(d.recipientName)},`), p(`L’habilitation de ${e(d.aidantName)} a été annulée. Motif : ${e(d.reason)}`)].join('\n'),
    text: `Bonjour ${d.recipientName},\n\nL’habilitation de ${d.aidantName} a été annulée. Motif : ${d.reason}`,
  }),

  ops_stuck_emails: (d: { emails: { key: string; template: string; since: string; attempts: number; lastError: string }[] }) => ({
    subject: `[Aidants Connect] ${d.emails.length} e-mail(s) non envoyé(s)`,
    body: [
      p(`Ces e-mails attendent d’être envoyés depuis plus longtemps que prévu ; leur envoi est toujours retenté. Vérifiez le serveur SMTP et la file Temporal.`),
      p(d.emails.map((m) => `<strong>${e(m.key)}</strong> (${e(m.template)}), depuis ${e(m.since)}, ${m.attempts} tentative(s)${m.lastError ? ` : ${e(m.lastError)}` : ''}`).join('<br/>')),
    ].join('\n'),
    text: `Ces e-mails attendent d’être envoyés depuis plus longtemps que prévu ; leur envoi est toujours retenté. Vérifiez le serveur SMTP et la file Temporal.\n\n${d.emails.map((m) => `- ${m.key} (${m.template}), depuis ${m.since}, ${m.attempts} tentative(s)${m.lastError ? ` : ${m.lastError}` : ''}`).join('\n')}`,
  }),
} as const;

export type TemplateName = keyof typeof TEMPLATES;
export type TemplateData<T extends TemplateName> = Parameters<(typeof TEMPLATES)[T]>[0];
