// E-mails to the usager. Same shape as emails/templates.ts, into which they are spread. The usager is told of
// each démarche an aidant did on their behalf: which structure, which démarche, when — and whom to ask if they
// did not expect it. Nothing else: no aidant's name, no link to sign in anywhere.
import { p } from './blocks.js';
import { escapeHtml as e } from './escape.js';
import { dateTimeFr } from './french.js';
import { hello, helloText, mailto, type Greeted, type RenderContext } from './common.js';

/** One use of an autorisation: the structure, the démarche's title, the instant (ISO 8601). */
export interface AutorisationUse { structureName: string; demarche: string; at: string }

const line = (u: AutorisationUse) => `le ${dateTimeFr(u.at)} : ${u.structureName}, démarche « ${u.demarche} »`;

export const USAGER_TEMPLATES = {
  usager_autorisation_used: (d: Greeted & { uses: AutorisationUse[] }, c: RenderContext) => {
    const intro = d.uses.length > 1
      ? 'Grâce au mandat que vous avez signé, un aidant a réalisé ces démarches en ligne en votre nom avec Aidants Connect :'
      : 'Grâce au mandat que vous avez signé, un aidant a réalisé cette démarche en ligne en votre nom avec Aidants Connect :';
    const unexpected = `Si vous n’avez pas demandé ${d.uses.length > 1 ? 'ces démarches' : 'cette démarche'}, contactez la structure qui vous accompagne ou écrivez-nous à`;
    return {
      subject: 'Aidants Connect - Une démarche a été réalisée en votre nom',
      blocks: [
        hello(d.recipientName),
        p(e(intro)),
        p(d.uses.map((u) => e(line(u))).join('<br/>')),
        p(`${e(unexpected)} ${mailto(c.contactEmail)}. Vous pouvez à tout moment demander la révocation de votre mandat à cette structure.`),
      ],
      text: `${helloText(d.recipientName)}\n\n${intro}\n${d.uses.map((u) => `- ${line(u)}`).join('\n')}\n\n${unexpected} ${c.contactEmail}. Vous pouvez à tout moment demander la révocation de votre mandat à cette structure.`,
    };
  },
} as const;
