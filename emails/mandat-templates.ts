// E-mail templates of the mandat lifecycle. Same shape as emails/templates.ts, into which they are spread.
// The expiry reminder goes to each active aidant of the structure who can create mandats, greeted by name,
// once per structure and day: it lists every mandat falling due with only what the reference e-mail shows
// (the usager's name, the expiry date, the number of démarches in force) and leads to the usagers page.
import { button, p } from './blocks.js';
import { escapeHtml as e } from './escape.js';
import { dateFr, de } from './french.js';
import { hello, helloText, type Greeted, type RenderContext } from './common.js';

/** The usagers page of the espace aidant (the espace asks to log in first). */
export const usagersUrl = (c: RenderContext) => `${c.publicUrl}/espace-aidant/usagers`;

export interface ExpiringMandat { usagerName: string; expiresAt: string; autorisations: number }

const line = (m: ExpiringMandat) => `${m.usagerName} : expire le ${dateFr(m.expiresAt)} (${m.autorisations} démarche${m.autorisations > 1 ? 's' : ''})`;

export const MANDAT_TEMPLATES = {
  /** `mandats`: every mandat of the structure falling due that day (ISO 8601 expiry dates). */
  mandat_expiry_reminder: (d: Greeted & { recipientName: string; structureName: string; mandats: ExpiringMandat[] }, c: RenderContext) => {
    const intro = d.mandats.length > 1
      ? `Ces ${d.mandats.length} mandats ${de(d.structureName)} vont bientôt expirer :`
      : `Ce mandat ${de(d.structureName)} va bientôt expirer :`;
    const advice = 'Pour continuer à accompagner ces personnes, renouvelez leur mandat depuis votre espace aidant : le renouvellement ne demande pas de nouvelle connexion FranceConnect de l’usager, seulement son consentement et votre code.';
    return {
      subject: 'Ces mandats vont bientôt expirer',
      blocks: [
        hello(d.recipientName),
        p(e(intro)),
        p(d.mandats.map((m) => e(line(m))).join('<br/>')),
        p(e(advice)),
        button(usagersUrl(c), 'Voir mes usagers'),
      ],
      text: `${helloText(d.recipientName)}\n\n${intro}\n${d.mandats.map((m) => `- ${line(m)}`).join('\n')}\n\n${advice}\nVoir mes usagers : ${usagersUrl(c)}`,
    };
  },
} as const;
