// E-mail templates of the espace référent (aidants added, removed, deactivated; cards). Same shape as emails/templates.ts, into which they are spread.
import { button, p } from './blocks.js';
import { escapeHtml as e } from './escape.js';
import { de } from './french.js';
import { espaceUrl, hello, helloText, mailto, type Greeted, type RenderContext } from './common.js';

const referentSpace = (c: RenderContext) => `${c.publicUrl}/espace-referent`;

export const REFERENT_TEMPLATES = {
  // --- Members of a structure (espace référent, back-office)
  aidant_added_to_structure: (d: Greeted & { aidantName: string; structureName: string }, c: RenderContext) => ({
    subject: `Aidants Connect - Vous avez été ajouté(e) à la structure ${d.structureName}`,
    blocks: [
      hello(d.recipientName ?? d.aidantName),
      p(`Vous faites désormais partie des aidants de <strong>${e(d.structureName)}</strong> : vous pouvez y créer des mandats, avec votre carte habituelle.`),
      p('Si vous travaillez pour plusieurs structures, choisissez celle dans laquelle vous agissez depuis votre espace aidant :'),
      button(espaceUrl(c), 'Accéder à mon espace aidant'),
      p(`S’il s’agit d’une erreur, prévenez le référent de la structure ou l’équipe Aidants Connect : ${mailto(c.contactEmail)}.`),
    ],
    text: `${helloText(d.recipientName ?? d.aidantName)}\n\nVous faites désormais partie des aidants de « ${d.structureName} » : vous pouvez y créer des mandats, avec votre carte habituelle.\nSi vous travaillez pour plusieurs structures, choisissez celle dans laquelle vous agissez depuis votre espace aidant : ${espaceUrl(c)}\n\nS’il s’agit d’une erreur, prévenez le référent de la structure ou l’équipe Aidants Connect : ${c.contactEmail}.`,
  }),

  /** `remainingStructures` empty: it was the aidant's last structure, the account is deactivated. */
  aidant_removed_from_structure: (d: Greeted & { aidantName: string; structureName: string; remainingStructures: string[] }, c: RenderContext) => {
    const deactivated = d.remainingStructures.length === 0;
    const remaining = d.remainingStructures.join(', ');
    return {
      subject: deactivated ? 'Aidants Connect - Votre compte aidant a été désactivé' : `Aidants Connect - Vous ne faites plus partie de la structure ${d.structureName}`,
      blocks: [
        hello(d.recipientName ?? d.aidantName),
        p(deactivated
          ? `Un référent de <strong>${e(d.structureName)}</strong> vous a retiré(e) de cette structure. C’était votre seule structure : votre compte Aidants Connect est désactivé, vous ne pouvez plus vous connecter ni créer de mandats.`
          : `Un référent de <strong>${e(d.structureName)}</strong> vous a retiré(e) de cette structure. Vous restez aidant(e) de : <strong>${e(remaining)}</strong>.`),
        p(deactivated
          ? `Si vous rejoignez une autre structure habilitée, son référent pourra vous y ajouter. S’il s’agit d’une erreur, écrivez à l’équipe Aidants Connect : ${mailto(c.contactEmail)}.`
          : 'Vous continuez à vous connecter et à créer des mandats dans vos autres structures, depuis votre espace aidant :'),
        deactivated ? button(`mailto:${c.contactEmail}`, 'Écrire à l’équipe Aidants Connect') : button(espaceUrl(c), 'Accéder à mon espace aidant'),
      ],
      text: deactivated
        ? `${helloText(d.recipientName ?? d.aidantName)}\n\nUn référent de « ${d.structureName} » vous a retiré(e) de cette structure. C’était votre seule structure : votre compte Aidants Connect est désactivé, vous ne pouvez plus vous connecter ni créer de mandats.\nSi vous rejoignez une autre structure habilitée, son référent pourra vous y ajouter. S’il s’agit d’une erreur, écrivez à l’équipe Aidants Connect : ${c.contactEmail}.`
        : `${helloText(d.recipientName ?? d.aidantName)}\n\nUn référent de « ${d.structureName} » vous a retiré(e) de cette structure. Vous restez aidant(e) de : ${remaining}.\nVous continuez à vous connecter et à créer des mandats dans vos autres structures, depuis votre espace aidant : ${espaceUrl(c)}`,
    };
  },

  aidant_eligibility_refused: (d: Greeted & { recipientName: string; aidantName: string; structureName: string; motif: string }, c: RenderContext) => ({
    subject: `Aidants Connect - La demande d’ajout ${de(d.aidantName)} a été refusée`,
    blocks: [
      hello(d.recipientName),
      p(`L’équipe Aidants Connect a refusé la demande de formation ${e(de(d.aidantName))} pour la structure <strong>${e(d.structureName)}</strong>, avec ce motif :`),
      p(`<em>${e(d.motif)}</em>`),
      p(`Vos demandes sont suivies dans votre espace référent. Pour toute question, écrivez à l’équipe Aidants Connect : ${mailto(c.contactEmail)}.`),
      button(referentSpace(c), 'Accéder à mon espace référent'),
    ],
    text: `${helloText(d.recipientName)}\n\nL’équipe Aidants Connect a refusé la demande de formation ${de(d.aidantName)} pour la structure « ${d.structureName} », avec ce motif :\n${d.motif}\n\nVos demandes sont suivies dans votre espace référent : ${referentSpace(c)}\nPour toute question, écrivez à l’équipe Aidants Connect : ${c.contactEmail}.`,
  }),
} as const;
