// E-mails of the ANCT's periodic duties: the weekly digest of aidants to train asked by référents (to the ANCT
// staff, by région) and the monthly list of a structure's aidants without a working card (to each référent).
// Same shape as emails/templates.ts, into which they are spread.
import { button, p } from './blocks.js';
import { escapeHtml as e } from './escape.js';
import { dateFr } from './french.js';
import { hello, helloText, mailto, type Greeted, type RenderContext } from './common.js';

export interface DigestAidant { name: string; email: string; profession: string | null; structureName: string; city: string; departmentCode: string }
export interface DigestRegion { region: string; aidants: DigestAidant[] }

const aidantLine = (a: DigestAidant) => `${a.name} — ${a.email}${a.profession ? ` — ${a.profession}` : ''} — ${a.structureName} (${a.city}, ${a.departmentCode})`;
const noCardLine = (a: { name: string; isRecipient: boolean }) => (a.isRecipient ? `${a.name} (vous-même)` : a.name);
const aidantsToTrainUrl = (c: RenderContext) => `${c.publicUrl}/admin/resources/aidant_onboardings?filters.status=awaiting_eligibility`;
const referentCardsUrl = (c: RenderContext) => `${c.publicUrl}/espace-referent`;

export const ANCT_TEMPLATES = {
  /** `firstDay`, `lastDay`: the week's Monday and Sunday (YYYY-MM-DD). */
  anct_weekly_aidants_to_train: (d: Greeted & { firstDay: string; lastDay: string; total: number; regions: DigestRegion[] }, c: RenderContext) => {
    const what = d.total > 1 ? `${d.total} nouveaux aidants à former` : `${d.total} nouvel aidant à former`;
    const intro = `Du ${dateFr(d.firstDay)} au ${dateFr(d.lastDay)}, les référents des structures habilitées ont demandé à faire former ${d.total > 1 ? `ces ${d.total} aidants` : 'cet aidant'}, par région :`;
    return {
      subject: `[Aidants Connect] ${what}`,
      blocks: [
        hello(d.recipientName),
        p(e(intro)),
        ...d.regions.map((r) => p(`<strong>${e(r.region)}</strong> (${r.aidants.length})<br/>${r.aidants.map((a) => e(aidantLine(a))).join('<br/>')}`)),
        p('Décidez de leur éligibilité depuis la liste des aidants à former :'),
        button(aidantsToTrainUrl(c), 'Voir les aidants à former'),
      ],
      text: `${helloText(d.recipientName)}\n\n${intro}\n\n${d.regions.map((r) => `${r.region} (${r.aidants.length})\n${r.aidants.map((a) => `- ${aidantLine(a)}`).join('\n')}`).join('\n\n')}\n\nDécidez de leur éligibilité depuis la liste des aidants à former : ${aidantsToTrainUrl(c)}`,
    };
  },

  referent_aidants_without_card: (d: Greeted & { structureName: string; aidants: { name: string; isRecipient: boolean }[] }, c: RenderContext) => {
    const many = d.aidants.length > 1;
    const intro = many
      ? `Ces ${d.aidants.length} aidants de ${d.structureName} n’ont pas encore de carte Aidants Connect ni d’application validée : ils ne peuvent ni se connecter ni créer de mandats.`
      : `Cet aidant de ${d.structureName} n’a pas encore de carte Aidants Connect ni d’application validée : il ne peut ni se connecter ni créer de mandats.`;
    const how = 'Depuis votre espace référent, associez une carte à chacun (numéro de série au dos de la carte) puis validez-la avec le code qu’elle affiche, ou aidez-les à installer une application d’authentification.';
    return {
      subject: 'Aidants Connect - Des aidants de votre structure n’ont pas de carte',
      blocks: [
        hello(d.recipientName),
        p(e(intro)),
        p(d.aidants.map((a) => e(noCardLine(a))).join('<br/>')),
        p(e(how)),
        button(referentCardsUrl(c), 'Accéder à mon espace référent'),
        p(`Il vous manque des cartes ? Écrivez à l’équipe Aidants Connect : ${mailto(c.contactEmail)}.`),
      ],
      text: `${helloText(d.recipientName)}\n\n${intro}\n${d.aidants.map((a) => `- ${noCardLine(a)}`).join('\n')}\n\n${how}\n${referentCardsUrl(c)}\n\nIl vous manque des cartes ? Écrivez à l’équipe Aidants Connect : ${c.contactEmail}.`,
    };
  },
} as const;
