// E-mails of the daily inactivity duty (workflows/inactive-aidants.ts): the aidant who has not logged in for
// months (warning, then deactivation, their référents told), the aidant with no mandat nor démarche for a while
// (encouragement), and the demandeur whose habilitation draft sleeps. Same shape as emails/templates.ts, into
// which they are spread. Dates come as ISO 8601 strings and are shown in Paris time.
import { button, p } from './blocks.js';
import { escapeHtml as e } from './escape.js';
import { dateFr } from './french.js';
import { espaceUrl, hello, helloText, mailto, type Greeted, type RenderContext } from './common.js';

const CARD_RETURN = 'Si une carte Aidants Connect vous a été remise, elle doit être rendue : remettez-la au référent de votre structure, qui la renverra à l’équipe Aidants Connect (ou renvoyez-la vous-même à l’ANCT).';

export const INACTIVITY_TEMPLATES = {
  inactive_aidant_warning: (d: Greeted & { recipientName: string; lastLoginAt: string; deadline: string; days: number }, c: RenderContext) => ({
    subject: 'Aidants Connect - Réactivez votre compte',
    blocks: [
      hello(d.recipientName),
      p(`Vous ne vous êtes pas connecté(e) à Aidants Connect depuis le ${e(dateFr(d.lastLoginAt))}. Pour garder votre compte aidant, connectez-vous dans un délai de ${d.days} jours, avant le <strong>${e(dateFr(d.deadline))}</strong>, avec votre carte ou votre application habituelle.`),
      button(espaceUrl(c), 'Me connecter à Aidants Connect'),
      p(`Sans connexion d’ici là, votre compte sera désactivé : vous ne pourrez plus créer de mandats, et votre carte devra être rendue. Pour toute question : ${mailto(c.contactEmail)}.`),
    ],
    text: `${helloText(d.recipientName)}\n\nVous ne vous êtes pas connecté(e) à Aidants Connect depuis le ${dateFr(d.lastLoginAt)}. Pour garder votre compte aidant, connectez-vous dans un délai de ${d.days} jours, avant le ${dateFr(d.deadline)}, avec votre carte ou votre application habituelle :\n${espaceUrl(c)}\n\nSans connexion d’ici là, votre compte sera désactivé : vous ne pourrez plus créer de mandats, et votre carte devra être rendue. Pour toute question : ${c.contactEmail}.`,
  }),

  inactive_aidant_deactivated: (d: Greeted & { recipientName: string; lastLoginAt: string }, c: RenderContext) => ({
    subject: 'Aidants Connect - Votre compte a été désactivé',
    blocks: [
      hello(d.recipientName),
      p(`Vous ne vous êtes pas connecté(e) à Aidants Connect depuis le ${e(dateFr(d.lastLoginAt))}, malgré notre message vous invitant à le faire : votre compte aidant est désactivé. Vous ne pouvez plus vous connecter ni créer de mandats. Les référents de votre structure en sont informés.`),
      p(e(CARD_RETURN)),
      p(`Pour reprendre votre activité d’aidant, demandez au référent de votre structure de réactiver votre compte, ou écrivez à l’équipe Aidants Connect : ${mailto(c.contactEmail)}.`),
    ],
    text: `${helloText(d.recipientName)}\n\nVous ne vous êtes pas connecté(e) à Aidants Connect depuis le ${dateFr(d.lastLoginAt)}, malgré notre message vous invitant à le faire : votre compte aidant est désactivé. Vous ne pouvez plus vous connecter ni créer de mandats. Les référents de votre structure en sont informés.\n\n${CARD_RETURN}\n\nPour reprendre votre activité d’aidant, demandez au référent de votre structure de réactiver votre compte, ou écrivez à l’équipe Aidants Connect : ${c.contactEmail}.`,
  }),

  inactive_aidant_deactivated_referent: (d: Greeted & { recipientName: string; aidantName: string; structureName: string; lastLoginAt: string }, c: RenderContext) => ({
    subject: `Aidants Connect - Le compte de ${d.aidantName} a été désactivé`,
    blocks: [
      hello(d.recipientName),
      p(`<strong>${e(d.aidantName)}</strong>, aidant(e) de <strong>${e(d.structureName)}</strong>, ne s’est pas connecté(e) à Aidants Connect depuis le ${e(dateFr(d.lastLoginAt))} malgré notre avertissement : son compte est désactivé.`),
      p('Si une carte Aidants Connect lui a été remise, récupérez-la et renvoyez-la à l’équipe Aidants Connect (ANCT). Si cette personne travaille toujours avec vous, vous pouvez réactiver son compte depuis votre espace référent :'),
      button(`${c.publicUrl}/espace-referent`, 'Accéder à mon espace référent'),
      p(`Pour toute question : ${mailto(c.contactEmail)}.`),
    ],
    text: `${helloText(d.recipientName)}\n\n${d.aidantName}, aidant(e) de « ${d.structureName} », ne s’est pas connecté(e) à Aidants Connect depuis le ${dateFr(d.lastLoginAt)} malgré notre avertissement : son compte est désactivé.\n\nSi une carte Aidants Connect lui a été remise, récupérez-la et renvoyez-la à l’équipe Aidants Connect (ANCT). Si cette personne travaille toujours avec vous, vous pouvez réactiver son compte depuis votre espace référent : ${c.publicUrl}/espace-referent\n\nPour toute question : ${c.contactEmail}.`,
  }),

  aidant_activity_encouragement: (d: Greeted & { recipientName: string; lastActivityAt: string }, c: RenderContext) => ({
    subject: 'Aidants Connect - Accompagnez vos usagers avec Aidants Connect',
    blocks: [
      hello(d.recipientName),
      p(`Vous n’avez ni créé de mandat ni réalisé de démarche avec Aidants Connect depuis le ${e(dateFr(d.lastActivityAt))}. Aidants Connect vous permet de faire les démarches en ligne de vos usagers en leur nom, en toute sécurité, sans jamais utiliser leurs identifiants.`),
      p('Vos usagers ont peut-être un mandat encore valable, ou un mandat à renouveler : retrouvez-les dans votre espace aidant.'),
      button(espaceUrl(c), 'Accéder à mon espace aidant'),
      p(`Une difficulté, une question ? Écrivez-nous : ${mailto(c.contactEmail)}.`),
    ],
    text: `${helloText(d.recipientName)}\n\nVous n’avez ni créé de mandat ni réalisé de démarche avec Aidants Connect depuis le ${dateFr(d.lastActivityAt)}. Aidants Connect vous permet de faire les démarches en ligne de vos usagers en leur nom, en toute sécurité, sans jamais utiliser leurs identifiants.\nVos usagers ont peut-être un mandat encore valable, ou un mandat à renouveler : retrouvez-les dans votre espace aidant : ${espaceUrl(c)}\n\nUne difficulté, une question ? Écrivez-nous : ${c.contactEmail}.`,
  }),

  /** `requestUrl`: a fresh private link, minted by the outbox when the e-mail is stored. */
  habilitation_draft_reminder: (d: Greeted & { issuerName: string; structureName: string; lastChangeAt: string; deletionDate: string; requestUrl: string }) => ({
    subject: 'Aidants Connect - Votre demande d’habilitation n’est pas terminée',
    blocks: [
      hello(d.recipientName ?? d.issuerName),
      p(`Le brouillon de la demande d’habilitation de <strong>${e(d.structureName)}</strong> n’a pas été modifié depuis le ${e(dateFr(d.lastChangeAt))} et n’a pas encore été soumis au comité de l’ANCT.`),
      p(`Reprenez-le avec ce lien personnel. Sans modification de votre part, il sera supprimé le <strong>${e(dateFr(d.deletionDate))}</strong>.`),
      button(d.requestUrl, 'Reprendre ma demande'),
      p('Si vous ne souhaitez plus demander l’habilitation de cette structure, vous n’avez rien à faire.'),
    ],
    text: `${helloText(d.recipientName ?? d.issuerName)}\n\nLe brouillon de la demande d’habilitation de « ${d.structureName} » n’a pas été modifié depuis le ${dateFr(d.lastChangeAt)} et n’a pas encore été soumis au comité de l’ANCT.\nReprenez-le avec ce lien personnel : ${d.requestUrl}\nSans modification de votre part, il sera supprimé le ${dateFr(d.deletionDate)}.\n\nSi vous ne souhaitez plus demander l’habilitation de cette structure, vous n’avez rien à faire.`,
  }),
} as const;
