// Transactional e-mail templates: each returns its subject, its body as blocks (emails/blocks.ts) and a
// plain-text version. Values are escaped here. Every e-mail greets its reader by name (`recipientName`, given
// by the sender) and ends with what to do next and the link to do it; links to the service come from the
// render context, dates come as ISO 8601 strings and are shown in Paris time.
import { button, p } from './blocks.js';
import { escapeHtml as e } from './escape.js';
import { dateFr, dateTimeFr, de } from './french.js';
import { ESPACE_TEMPLATES, setupLinkBlocks, type SetupLinkData } from './espace-templates.js';
import { MANDAT_TEMPLATES } from './mandat-templates.js';
import { USAGER_TEMPLATES } from './usager-templates.js';
import { ANCT_TEMPLATES } from './anct-templates.js';
import { INACTIVITY_TEMPLATES } from './inactivity-templates.js';
import { REFERENT_TEMPLATES } from './referent-templates.js';
import { referentTrainingUrl, TRAINING_TEMPLATES } from './training-templates.js';
import { espaceUrl, hello, helloText, mailto, type Greeted, type RenderContext } from './common.js';

export type { RenderContext } from './common.js';

export const TEMPLATES = {
  habilitation_email_confirmation: (d: Greeted & { issuerName: string; confirmUrl: string; days: number }) => ({
    subject: 'Aidants Connect - Confirmez votre adresse e-mail pour votre demande d’habilitation',
    blocks: [
      hello(d.recipientName ?? d.issuerName),
      p(`Pour commencer la demande d’habilitation de votre structure à Aidants Connect, confirmez votre adresse e-mail. Ce lien est valable ${d.days} jours.`),
      button(d.confirmUrl, 'Confirmer mon adresse e-mail'),
      p('Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : aucun compte ne sera créé.'),
    ],
    text: `${helloText(d.recipientName ?? d.issuerName)}\n\nPour commencer la demande d’habilitation de votre structure à Aidants Connect, confirmez votre adresse e-mail (lien valable ${d.days} jours) :\n${d.confirmUrl}\n\nSi vous n’êtes pas à l’origine de cette demande, ignorez ce message : aucun compte ne sera créé.`,
  }),

  habilitation_issuer_reminder: (d: Greeted & { issuerName: string; spaceUrl: string; requests: { name: string; status: string; url: string }[] }) => ({
    subject: 'Aidants Connect - Rappel de votre profil demandeur',
    blocks: [
      hello(d.recipientName ?? d.issuerName),
      p('Vous avez déjà un profil demandeur sur Aidants Connect. Depuis votre espace, vous pouvez reprendre vos demandes d’habilitation ou en commencer une nouvelle.'),
      button(d.spaceUrl, 'Accéder à mon espace demandeur'),
      p(d.requests.length > 0 ? `Vos demandes :<br/>${d.requests.map((r) => `<a href="${e(r.url)}">${e(r.name)}</a> (${e(r.status)})`).join('<br/>')}` : 'Vous n’avez pas encore de demande.'),
      p('Si vous n’êtes pas à l’origine de ce message, ignorez-le : rien n’a été modifié.'),
    ],
    text: `${helloText(d.recipientName ?? d.issuerName)}\n\nVous avez déjà un profil demandeur sur Aidants Connect. Votre espace demandeur : ${d.spaceUrl}\n\n${d.requests.map((r) => `- ${r.name} (${r.status}) : ${r.url}`).join('\n') || 'Vous n’avez pas encore de demande.'}\n\nSi vous n’êtes pas à l’origine de ce message, ignorez-le : rien n’a été modifié.`,
  }),

  habilitation_request_created: (d: Greeted & { issuerName: string; structureName: string; requestUrl: string }) => ({
    subject: 'Aidants Connect - Votre demande d’habilitation a été créée',
    blocks: [
      hello(d.recipientName ?? d.issuerName),
      p(`Le brouillon de la demande d’habilitation de <strong>${e(d.structureName)}</strong> est enregistré. Vous pouvez le compléter à tout moment avec ce lien personnel, puis le soumettre au comité de l’ANCT.`),
      button(d.requestUrl, 'Reprendre ma demande'),
    ],
    text: `${helloText(d.recipientName ?? d.issuerName)}\n\nLe brouillon de la demande d’habilitation de « ${d.structureName} » est enregistré. Vous pouvez le compléter à tout moment avec ce lien personnel, puis le soumettre au comité de l’ANCT :\n${d.requestUrl}`,
  }),

  habilitation_request_submitted: (d: Greeted & { issuerName: string; structureName: string; requestUrl: string }) => ({
    subject: 'Aidants Connect - Votre demande d’habilitation a été soumise',
    blocks: [
      hello(d.recipientName ?? d.issuerName),
      p(`Votre demande d’habilitation pour la structure <strong>${e(d.structureName)}</strong> a bien été transmise à l’équipe Aidants Connect. Le comité de l’ANCT va l’examiner ; vous serez informé(e) de sa décision par e-mail.`),
      p('Vous pouvez suivre votre demande et échanger avec l’équipe à tout moment :'),
      button(d.requestUrl, 'Suivre ma demande'),
    ],
    text: `${helloText(d.recipientName ?? d.issuerName)}\n\nVotre demande d’habilitation pour la structure « ${d.structureName} » a bien été transmise à l’équipe Aidants Connect. Le comité de l’ANCT va l’examiner ; vous serez informé(e) de sa décision par e-mail.\n\nSuivre ma demande : ${d.requestUrl}`,
  }),

  habilitation_new_message: (d: Greeted & { issuerName: string; structureName: string; message: string; requestUrl: string }) => ({
    subject: 'Aidants Connect - Vous avez reçu un nouveau message de l’équipe Aidants Connect',
    blocks: [
      hello(d.recipientName ?? d.issuerName),
      p(`L’équipe Aidants Connect vous a écrit au sujet de la demande d’habilitation de <strong>${e(d.structureName)}</strong> :`),
      p(`<em>${e(d.message)}</em>`),
      button(d.requestUrl, 'Répondre depuis ma demande'),
    ],
    text: `${helloText(d.recipientName ?? d.issuerName)}\n\nL’équipe Aidants Connect vous a écrit au sujet de la demande d’habilitation de « ${d.structureName} » :\n${d.message}\n\nRépondre depuis votre demande : ${d.requestUrl}`,
  }),

  habilitation_demandeur_message: (d: Greeted & { structureName: string; message: string; adminUrl: string }) => ({
    subject: `[Aidants Connect] Nouveau message du demandeur : ${d.structureName}`,
    blocks: [
      hello(d.recipientName),
      p(`Le demandeur de la structure <strong>${e(d.structureName)}</strong> a écrit :`), p(`<em>${e(d.message)}</em>`),
      p('Répondez-lui depuis la demande, avec « Écrire au demandeur » :'),
      button(d.adminUrl, 'Voir la demande et répondre'),
    ],
    text: `${helloText(d.recipientName)}\n\nLe demandeur de la structure « ${d.structureName} » a écrit :\n${d.message}\n\nRépondez-lui depuis la demande, avec « Écrire au demandeur » : ${d.adminUrl}`,
  }),

  habilitation_comite_reminder: (d: Greeted & { structureName: string; waitingDays: number; adminUrl: string }) => ({
    subject: `[Aidants Connect] Demande d’habilitation en attente depuis ${d.waitingDays} jours`,
    blocks: [
      hello(d.recipientName),
      p(`La demande d’habilitation de la structure <strong>${e(d.structureName)}</strong> attend la décision du comité depuis ${d.waitingDays} jours. Validez-la, refusez-la ou demandez des modifications :`),
      button(d.adminUrl, 'Examiner la demande'),
    ],
    text: `${helloText(d.recipientName)}\n\nLa demande d’habilitation de la structure « ${d.structureName} » attend la décision du comité depuis ${d.waitingDays} jours. Validez-la, refusez-la ou demandez des modifications :\n${d.adminUrl}`,
  }),

  habilitation_request_validated: (d: Greeted & { recipientName: string; structureName: string; habilitationNumber: string; motif: string; requestUrl: string }) => ({
    subject: `Aidants Connect - La demande d’habilitation n° ${d.habilitationNumber} a été acceptée`,
    blocks: [
      hello(d.recipientName),
      p(`Le comité de l’ANCT a validé l’éligibilité de la structure <strong>${e(d.structureName)}</strong> (habilitation n° ${e(d.habilitationNumber)}).`),
      p(`Les aidants à former vont recevoir une invitation : ils doivent suivre la formation Aidants Connect <strong>dans un délai de deux mois</strong>. Suivez leur avancement depuis la demande.`),
      p(`Message du comité : ${e(d.motif)}`),
      button(d.requestUrl, 'Voir la demande'),
    ],
    text: `${helloText(d.recipientName)}\n\nLe comité de l’ANCT a validé l’éligibilité de la structure « ${d.structureName} » (habilitation n° ${d.habilitationNumber}).\nLes aidants à former doivent suivre la formation dans un délai de deux mois. Suivez leur avancement depuis la demande.\n\nMessage du comité : ${d.motif}\n\nVoir la demande : ${d.requestUrl}`,
  }),

  habilitation_request_refused: (d: Greeted & { recipientName: string; structureName: string; motif: string }, c: RenderContext) => ({
    subject: 'Aidants Connect - Votre demande d’habilitation a été refusée',
    blocks: [
      hello(d.recipientName),
      p(`Après examen, le comité de l’ANCT n’a pas validé la demande d’habilitation de la structure <strong>${e(d.structureName)}</strong>.`),
      p(`Motif : ${e(d.motif)}`),
      p(`Vous disposez d’un délai de deux mois à compter de la réception de ce message pour former un recours gracieux auprès de l’ANCT, en écrivant à ${mailto(c.contactEmail)}.`),
    ],
    text: `${helloText(d.recipientName)}\n\nAprès examen, le comité de l’ANCT n’a pas validé la demande d’habilitation de la structure « ${d.structureName} ».\nMotif : ${d.motif}\n\nVous disposez d’un délai de deux mois à compter de la réception de ce message pour former un recours gracieux auprès de l’ANCT, en écrivant à ${c.contactEmail}.`,
  }),

  habilitation_changes_required: (d: Greeted & { issuerName: string; structureName: string; motif: string; requestUrl: string }) => ({
    subject: 'Aidants Connect - Vous avez reçu un nouveau message de l’équipe Aidants Connect',
    blocks: [
      hello(d.recipientName ?? d.issuerName),
      p(`L’équipe Aidants Connect demande des modifications sur la demande d’habilitation de <strong>${e(d.structureName)}</strong> :`),
      p(`<em>${e(d.motif)}</em>`),
      p('Corrigez votre demande puis soumettez-la à nouveau depuis sa dernière étape :'),
      button(d.requestUrl, 'Modifier ma demande'),
    ],
    text: `${helloText(d.recipientName ?? d.issuerName)}\n\nL’équipe Aidants Connect demande des modifications sur la demande d’habilitation de « ${d.structureName} » :\n${d.motif}\n\nCorrigez votre demande puis soumettez-la à nouveau depuis sa dernière étape : ${d.requestUrl}`,
  }),
  // setupLink: a first-login link, written by the outbox when the référent has no means of login yet (services/setup-links.ts).
  habilitation_referent_validated: (d: Greeted & { recipientName: string; structureName: string; habilitationNumber: string; setupLink?: SetupLinkData }, c: RenderContext) => {
    const validated = `Le comité de l’ANCT a validé l’éligibilité de la structure <strong>${e(d.structureName)}</strong> (habilitation n° ${e(d.habilitationNumber)}), dont vous êtes le ou la référente.`;
    const validatedText = `Le comité de l’ANCT a validé l’éligibilité de la structure « ${d.structureName} » (habilitation n° ${d.habilitationNumber}), dont vous êtes le ou la référente.`;
    const next = 'Prochaine étape : les aidants de votre structure reçoivent une invitation à la formation Aidants Connect, à suivre dans un délai de deux mois. Vous serez informé(e) de chaque compte activé.';
    const manage = 'Vous gérerez ensuite la structure depuis l’espace référent d’Aidants Connect : cartes des aidants, nouveaux aidants à former.';
    const setup = d.setupLink ? setupLinkBlocks(d.setupLink, c) : null;
    return {
      subject: `Aidants Connect - Vous êtes référent(e) de la structure ${d.structureName}`,
      blocks: [
        hello(d.recipientName), p(validated), p(next), p(manage),
        ...(setup ? [setup.before, button(d.setupLink!.url, 'Découvrir l’espace référent'), setup.after] : [button(espaceUrl(c), 'Découvrir l’espace référent')]),
      ],
      text: `${helloText(d.recipientName)}\n\n${validatedText}\n\n${next}\n${setup
        ? `${manage}\n\n${setup.text}`
        : `Vous gérerez ensuite la structure depuis l’espace référent d’Aidants Connect : ${espaceUrl(c)}`}`,
    };
  },

  /** closeDate: ISO 8601. */
  habilitation_changes_close_reminder: (d: Greeted & { issuerName: string; structureName: string; closeDate: string; requestUrl: string }) => ({
    subject: 'Aidants Connect - Votre demande d’habilitation attend vos modifications',
    blocks: [
      hello(d.recipientName ?? d.issuerName),
      p(`L’équipe Aidants Connect attend toujours les modifications demandées sur la demande d’habilitation de <strong>${e(d.structureName)}</strong>. Sans réponse de votre part, elle sera clôturée le <strong>${e(dateFr(d.closeDate))}</strong>.`),
      button(d.requestUrl, 'Modifier ma demande'),
    ],
    text: `${helloText(d.recipientName ?? d.issuerName)}\n\nL’équipe Aidants Connect attend toujours les modifications demandées sur la demande d’habilitation de « ${d.structureName} ». Sans réponse de votre part, elle sera clôturée le ${dateFr(d.closeDate)}.\n\nModifier ma demande : ${d.requestUrl}`,
  }),

  habilitation_request_closed: (d: Greeted & { issuerName: string; structureName: string; spaceUrl: string }) => ({
    subject: 'Aidants Connect - Votre demande d’habilitation a été clôturée',
    blocks: [
      hello(d.recipientName ?? d.issuerName),
      p(`Les modifications demandées sur la demande d’habilitation de <strong>${e(d.structureName)}</strong> n’ont pas été apportées dans le délai prévu : la demande est clôturée.`),
      p('Vous pouvez déposer une nouvelle demande depuis votre espace demandeur.'),
      button(d.spaceUrl, 'Accéder à mon espace demandeur'),
    ],
    text: `${helloText(d.recipientName ?? d.issuerName)}\n\nLes modifications demandées sur la demande d’habilitation de « ${d.structureName} » n’ont pas été apportées dans le délai prévu : la demande est clôturée.\nVous pouvez déposer une nouvelle demande depuis votre espace demandeur : ${d.spaceUrl}`,
  }),


  /**
   * `deadline`: ISO 8601. The aidant has no account yet: their référent registers them (the link explains the
   * training); each référent is sent to the registrations page of the espace référent.
   */
  onboarding_training_invitation: (d: Greeted & { recipientName: string; aidantName: string; structureName: string; deadline: string; isAidant: boolean }, c: RenderContext) => ({
    subject: d.isAidant ? 'Aidants Connect - Suivez la formation des aidants' : `Aidants Connect - ${d.aidantName} doit suivre la formation des aidants`,
    blocks: [
      hello(d.recipientName),
      p(d.isAidant
        ? `L’éligibilité de votre structure <strong>${e(d.structureName)}</strong> a été validée. Pour devenir aidant habilité, vous devez suivre la formation Aidants Connect <strong>avant le ${e(dateFr(d.deadline))}</strong>. Votre référent vous inscrit à une session depuis son espace : vous recevrez un e-mail avec sa date et son lieu.`
        : `${e(d.aidantName)} doit suivre la formation Aidants Connect <strong>avant le ${e(dateFr(d.deadline))}</strong> pour être habilité(e) au sein de <strong>${e(d.structureName)}</strong>. Inscrivez-le ou inscrivez-la à une session depuis votre espace référent :`),
      d.isAidant ? button(c.trainingRegistrationUrl, 'Comment se passe la formation') : button(referentTrainingUrl(c), 'Inscrire à une session de formation'),
      p('Passé ce délai de deux mois, la demande d’habilitation de l’aidant devra être renouvelée.'),
    ],
    text: `${helloText(d.recipientName)}\n\n${d.isAidant
      ? `Vous devez suivre la formation Aidants Connect avant le ${dateFr(d.deadline)} (structure « ${d.structureName} »). Votre référent vous inscrit à une session depuis son espace : vous recevrez un e-mail avec sa date et son lieu.\nComment se passe la formation : ${c.trainingRegistrationUrl}`
      : `${d.aidantName} doit suivre la formation Aidants Connect avant le ${dateFr(d.deadline)} (structure « ${d.structureName} »).\nInscrire l’aidant à une session depuis votre espace référent : ${referentTrainingUrl(c)}`}\n\nPassé ce délai de deux mois, la demande d’habilitation de l’aidant devra être renouvelée.`,
  }),

  /**
   * `deadline`: ISO 8601. `isAidant` tells the aidant from a référent (the lifecycle gives it since this version;
   * reminders of runs started before go to the page explaining the training, as they did).
   */
  onboarding_training_reminder: (d: Greeted & { recipientName: string; aidantName: string; deadline: string; daysLeft: number; isAidant?: boolean }, c: RenderContext) => {
    const left = (name: string, deadline: string) => (d.isAidant
      ? `Il vous reste ${d.daysLeft} jours pour suivre la formation Aidants Connect (date limite : ${deadline}). Si ce n’est pas encore fait, votre référent vous inscrit à une session depuis son espace.`
      : `Il reste ${d.daysLeft} jours à ${name} pour suivre la formation Aidants Connect (date limite : ${deadline}).${d.isAidant === false
        ? ' S’il ou elle n’est pas encore inscrit(e), inscrivez-le ou inscrivez-la à une session depuis votre espace référent :'
        : ' Sans inscription, inscrivez-vous dès maintenant à une session :'}`);
    const link = d.isAidant ? { url: c.trainingRegistrationUrl, label: 'Comment se passe la formation' }
      : d.isAidant === false ? { url: referentTrainingUrl(c), label: 'Inscrire à une session de formation' }
        : { url: c.trainingRegistrationUrl, label: 'S’inscrire à une session de formation' };
    return {
      subject: `Aidants Connect - Formation à suivre avant le ${dateFr(d.deadline)}`,
      blocks: [hello(d.recipientName), p(left(e(d.aidantName), `<strong>${e(dateFr(d.deadline))}</strong>`)), button(link.url, link.label)],
      text: `${helloText(d.recipientName)}\n\n${left(d.aidantName, dateFr(d.deadline))}\n${link.label} : ${link.url}`,
    };
  },

  /** `deadline`: ISO 8601. */
  onboarding_lapsed: (d: Greeted & { recipientName: string; aidantName: string; structureName: string; deadline: string }, c: RenderContext) => ({
    subject: `Aidants Connect - Délai de formation dépassé pour ${d.aidantName}`,
    blocks: [
      hello(d.recipientName),
      p(`${e(d.aidantName)} n’a pas suivi la formation Aidants Connect avant le ${e(dateFr(d.deadline))} : sa demande d’habilitation au sein de <strong>${e(d.structureName)}</strong> n’est plus active.`),
      p(`Pour la relancer, répondez à l’équipe Aidants Connect depuis le suivi de votre demande ou écrivez à ${mailto(c.contactEmail)} : un nouveau délai de formation pourra être accordé.`),
    ],
    text: `${helloText(d.recipientName)}\n\n${d.aidantName} n’a pas suivi la formation avant le ${dateFr(d.deadline)} : sa demande d’habilitation au sein de « ${d.structureName} » n’est plus active.\nPour la relancer, écrivez à ${c.contactEmail} : un nouveau délai de formation pourra être accordé.`,
  }),

  /** A lapsed onboarding about to be closed by its lifecycle. `closeDate`: ISO 8601. */
  onboarding_lapsed_closing: (d: Greeted & { recipientName: string; aidantName: string; structureName: string; closeDate: string }, c: RenderContext) => ({
    subject: `Aidants Connect - La demande d’habilitation ${de(d.aidantName)} va être close`,
    blocks: [
      hello(d.recipientName),
      p(`${e(d.aidantName)} n’a pas suivi la formation Aidants Connect dans le délai : sans nouveau délai accordé, sa demande d’habilitation au sein de <strong>${e(d.structureName)}</strong> sera close le <strong>${e(dateFr(d.closeDate))}</strong>.`),
      p(`Pour obtenir un nouveau délai de formation, écrivez avant cette date à ${mailto(c.contactEmail)}.`),
    ],
    text: `${helloText(d.recipientName)}\n\n${d.aidantName} n’a pas suivi la formation Aidants Connect dans le délai : sans nouveau délai accordé, sa demande d’habilitation au sein de « ${d.structureName} » sera close le ${dateFr(d.closeDate)}.\nPour obtenir un nouveau délai de formation, écrivez avant cette date à ${c.contactEmail}.`,
  }),

  aidant_account_activated: (d: Greeted & { aidantName: string; structureName: string }, c: RenderContext) => ({
    subject: 'Bienvenue parmi nos aidants habilités !',
    blocks: [
      hello(d.recipientName ?? d.aidantName),
      p(`Votre formation est validée et votre compte Aidants Connect est activé au sein de <strong>${e(d.structureName)}</strong>.`),
      p('Votre carte Aidants Connect va être envoyée à votre structure ; votre référent l’associera à votre compte. Vous vous connecterez ensuite avec votre adresse e-mail et le code de votre carte :'),
      button(espaceUrl(c), 'Découvrir mon espace aidant'),
    ],
    text: `${helloText(d.recipientName ?? d.aidantName)}\n\nVotre formation est validée et votre compte Aidants Connect est activé au sein de « ${d.structureName} ».\nVotre carte va être envoyée à votre structure ; votre référent l’associera à votre compte. Vous vous connecterez ensuite avec votre adresse e-mail et le code de votre carte : ${espaceUrl(c)}`,
  }),

  referent_aidant_activated: (d: Greeted & { recipientName: string; aidantName: string }, c: RenderContext) => ({
    subject: `Aidants Connect — Le compte ${de(d.aidantName)} vient d’être activé !`,
    blocks: [
      hello(d.recipientName),
      p(`Le compte ${e(de(d.aidantName))} vient d’être activé. Dès réception du kit de bienvenue, associez-lui sa carte depuis votre espace référent :`),
      button(espaceUrl(c), 'Accéder à mon espace référent'),
    ],
    text: `${helloText(d.recipientName)}\n\nLe compte ${de(d.aidantName)} vient d’être activé. Dès réception du kit de bienvenue, associez-lui sa carte depuis votre espace référent : ${espaceUrl(c)}`,
  }),

  card_shipment_update: (d: Greeted & { recipientName: string; aidantName: string; status: 'sent' | 'delivered' | 'lost' | 'returned'; trackingNumber: string | null }, c: RenderContext) => {
    const what = { sent: 'a été envoyé', delivered: 'a été livré', lost: 'a été perdu par le transporteur', returned: 'nous a été retourné' }[d.status];
    const next = {
      sent: `Numéro de suivi : ${d.trackingNumber ?? 'non communiqué'}. À sa réception, associez la carte à l’aidant depuis votre espace référent.`,
      delivered: 'Associez maintenant la carte à l’aidant depuis votre espace référent.',
      lost: 'L’équipe Aidants Connect prépare un nouvel envoi : vous n’avez rien à faire.',
      returned: 'L’équipe Aidants Connect prépare un nouvel envoi : vérifiez l’adresse de votre structure auprès d’elle si besoin.',
    }[d.status];
    const toEspace = d.status === 'sent' || d.status === 'delivered';
    return {
      subject: `Aidants Connect - Le kit de bienvenue ${de(d.aidantName)} ${what}`,
      blocks: [
        hello(d.recipientName), p(`Le kit de bienvenue (carte Aidants Connect) ${e(de(d.aidantName))} ${what}.`), p(e(next)),
        ...(toEspace ? [button(espaceUrl(c), 'Accéder à mon espace référent')] : [p(`Une question ? Écrivez à ${mailto(c.contactEmail)}.`)]),
      ],
      text: `${helloText(d.recipientName)}\n\nLe kit de bienvenue (carte Aidants Connect) ${de(d.aidantName)} ${what}.\n${next}\n${toEspace ? `Votre espace référent : ${espaceUrl(c)}` : `Une question ? Écrivez à ${c.contactEmail}.`}`,
    };
  },

  card_validated: (d: Greeted & { recipientName: string; aidantName: string }, c: RenderContext) => ({
    subject: `Aidants Connect - ${d.aidantName} est prêt(e) à accompagner les usagers`,
    blocks: [
      hello(d.recipientName),
      p(`La carte ${e(de(d.aidantName))} est associée et validée : son habilitation est terminée. ${e(d.aidantName)} peut désormais se connecter avec sa carte et créer des mandats avec les usagers :`),
      button(espaceUrl(c), 'Se connecter à Aidants Connect'),
    ],
    text: `${helloText(d.recipientName)}\n\nLa carte ${de(d.aidantName)} est associée et validée : son habilitation est terminée. ${d.aidantName} peut désormais se connecter avec sa carte et créer des mandats avec les usagers : ${espaceUrl(c)}`,
  }),

  onboarding_cancelled: (d: Greeted & { recipientName: string; aidantName: string; reason: string }, c: RenderContext) => ({
    subject: `Aidants Connect - Habilitation ${de(d.aidantName)} annulée`,
    blocks: [
      hello(d.recipientName),
      p(`L’habilitation ${e(de(d.aidantName))} a été annulée. Motif : ${e(d.reason)}`),
      p(`S’il s’agit d’une erreur, ou pour habiliter à nouveau cet aidant, écrivez à ${mailto(c.contactEmail)}.`),
    ],
    text: `${helloText(d.recipientName)}\n\nL’habilitation ${de(d.aidantName)} a été annulée. Motif : ${d.reason}\n\nS’il s’agit d’une erreur, ou pour habiliter à nouveau cet aidant, écrivez à ${c.contactEmail}.`,
  }),

  /** `since`: ISO 8601. Lists e-mails stuck (still retried) and e-mails that failed for good. */
  ops_stuck_emails: (d: Greeted & { emails: { key: string; template: string; since: string; attempts: number; lastError: string; failed?: boolean }[] }, c: RenderContext) => {
    const line = (m: (typeof d.emails)[number]) => `${m.failed ? 'ÉCHEC DÉFINITIF' : 'en attente'} ${m.key} (${m.template}), depuis le ${dateTimeFr(m.since)}, ${m.attempts} tentative(s)${m.lastError ? ` : ${m.lastError}` : ''}`;
    const adminUrl = `${c.publicUrl}/admin/resources/email_outbox`;
    const advice = 'Les e-mails en attente sont toujours retentés : vérifiez le serveur SMTP et la file Temporal. Les e-mails en échec définitif ne seront pas renvoyés : corrigez leur cause (destinataire, modèle) et prévenez les personnes concernées.';
    return {
      subject: `[Aidants Connect] ${d.emails.length} e-mail(s) non envoyé(s)`,
      blocks: [
        hello(d.recipientName),
        p(e(advice)),
        p(d.emails.map((m) => e(line(m))).join('<br/>')),
        button(adminUrl, 'Voir les e-mails dans le back-office'),
      ],
      text: `${helloText(d.recipientName)}\n\n${advice}\n\n${d.emails.map((m) => `- ${line(m)}`).join('\n')}\n\nVoir les e-mails dans le back-office : ${adminUrl}`,
    };
  },

  ...ESPACE_TEMPLATES,
  ...REFERENT_TEMPLATES,
  ...TRAINING_TEMPLATES,
  ...MANDAT_TEMPLATES,
  ...USAGER_TEMPLATES,
  ...ANCT_TEMPLATES,
  ...INACTIVITY_TEMPLATES,
} as const;

export type TemplateName = keyof typeof TEMPLATES;
export type TemplateData<T extends TemplateName> = Parameters<(typeof TEMPLATES)[T]>[0];
