// E-mail templates of training sessions (registration, change, cancellation). Same shape as emails/templates.ts, into which they are spread.
// Each goes to one person: the aidant (who has no account before the training: their référent registers
// them, so their next step is the page explaining the training) or one of the structure's référents (whose
// next step is the registrations page of the espace référent). Dates come as ISO 8601 strings.
import { button, p } from './blocks.js';
import { escapeHtml as e } from './escape.js';
import { dateFr, de } from './french.js';
import { hello, helloText, type Greeted, type RenderContext } from './common.js';
import { sessionWhen, TRAINING_MODES, type TrainingMode } from '../domain/training.js';

/** Where référents register the aidants of their structure (the espace asks them to log in first). */
export const referentTrainingUrl = (c: RenderContext) => `${c.publicUrl}/espace-referent/formations`;

interface SessionData { startsAt: string; endsAt: string; mode: TrainingMode; location: string }
type TrainingMail = Greeted & { recipientName: string; aidantName: string; structureName: string; isAidant: boolean };

const when = (s: Pick<SessionData, 'startsAt' | 'endsAt'>) => sessionWhen(new Date(s.startsAt), new Date(s.endsAt));
const where = (s: SessionData) => `${TRAINING_MODES[s.mode] ?? s.mode} : ${s.location}`;

/** What the reader does next, and the link to do it. */
function nextStep(d: TrainingMail, c: RenderContext, referentText: string) {
  return d.isAidant
    ? {
      html: [p('Pour toute question, ou si vous ne pouvez pas être présent(e), adressez-vous à votre référent : lui seul peut changer votre inscription.'), button(c.trainingRegistrationUrl, 'Comment se passe la formation')],
      text: `Pour toute question, ou si vous ne pouvez pas être présent(e), adressez-vous à votre référent : lui seul peut changer votre inscription.\nComment se passe la formation : ${c.trainingRegistrationUrl}`,
    }
    : {
      html: [p(e(referentText)), button(referentTrainingUrl(c), 'Gérer les inscriptions en formation')],
      text: `${referentText}\nGérer les inscriptions en formation : ${referentTrainingUrl(c)}`,
    };
}

export const TRAINING_TEMPLATES = {
  /** A registration, or a change of session (`previous`: the session left). */
  training_registered: (d: TrainingMail & SessionData & { previous?: { startsAt: string; endsAt: string } | null }, c: RenderContext) => {
    const changed = Boolean(d.previous);
    const intro = d.isAidant
      ? (changed ? 'Votre référent a changé votre session de formation Aidants Connect. Vous êtes maintenant inscrit(e) à la session' : 'Votre référent vous a inscrit(e) à une session de la formation Aidants Connect, indispensable pour devenir aidant habilité')
      : (changed ? `${d.aidantName} (${d.structureName}) a changé de session de formation Aidants Connect : il ou elle est maintenant inscrit(e) à la session` : `${d.aidantName} (${d.structureName}) est inscrit(e) à une session de la formation Aidants Connect`);
    const replaced = d.previous ? `Cette session remplace celle ${when(d.previous).replace(/^le /, 'du ')}, qui est libérée.` : '';
    const next = nextStep(d, c, 'Vous pouvez changer de session ou annuler l’inscription depuis votre espace référent, jusqu’au début de la session.');
    return {
      subject: d.isAidant
        ? (changed ? 'Aidants Connect - Votre session de formation a changé' : 'Aidants Connect - Votre inscription à la formation')
        : `Aidants Connect - ${changed ? 'Nouvelle session de formation' : 'Inscription à la formation'} ${de(d.aidantName)}`,
      blocks: [
        hello(d.recipientName),
        p(`${e(intro)} : <strong>${e(when(d))}</strong>.`),
        p(e(where(d))),
        ...(replaced ? [p(e(replaced))] : []),
        ...next.html,
      ],
      text: `${helloText(d.recipientName)}\n\n${intro} : ${when(d)}.\n${where(d)}\n${replaced ? `${replaced}\n` : ''}\n${next.text}`,
    };
  },

  /** `deadline`: the aidant's training deadline, ISO 8601. */
  training_registration_cancelled: (d: TrainingMail & Pick<SessionData, 'startsAt' | 'endsAt'> & { deadline: string }, c: RenderContext) => {
    const what = d.isAidant
      ? `Votre inscription à la session de formation Aidants Connect ${when(d)} est annulée.`
      : `L’inscription ${de(d.aidantName)} (${d.structureName}) à la session de formation ${when(d)} est annulée.`;
    const still = d.isAidant
      ? `Vous devez toujours suivre la formation avant le ${dateFr(d.deadline)} : votre référent vous inscrira à une autre session.`
      : `${d.aidantName} doit toujours suivre la formation avant le ${dateFr(d.deadline)}.`;
    const next = nextStep(d, c, 'Inscrivez-le ou inscrivez-la à une autre session depuis votre espace référent.');
    return {
      subject: d.isAidant ? 'Aidants Connect - Votre inscription à la formation est annulée' : `Aidants Connect - Inscription ${de(d.aidantName)} à la formation annulée`,
      blocks: [hello(d.recipientName), p(e(what)), p(e(still)), ...next.html],
      text: `${helloText(d.recipientName)}\n\n${what}\n${still}\n\n${next.text}`,
    };
  },
} as const;
