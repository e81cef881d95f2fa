// E-mail templates of the espace aidant (login link, CGU) and the aidant's account. Same shape as emails/templates.ts, into which they are spread.
import { button, p } from './blocks.js';
import { hello, helloText, type Greeted, type RenderContext } from './common.js';
import { escapeHtml as e } from './escape.js';
import { dateTimeFr } from './french.js';

/** Where a login link leads (the token follows): an intermediate page, then « Me connecter ». */
export const LOGIN_LINK_PATH = '/connexion/lien';

/** A référent's first login: the page asking for a setup link; a setup link is this path, then its token. */
export const FIRST_LOGIN_PATH = '/connexion/premiere-connexion';

/** A setup link as the outbox writes it into an e-mail's data (expiresAt: ISO 8601). */
export interface SetupLinkData { url: string; expiresAt: string }

const SETUP_STEPS = 'Ce lien vous fait ajouter une application d’authentification sur votre téléphone (FreeOTP, Google Authenticator, Microsoft Authenticator…) : elle vous donnera les codes à 6 chiffres qui vous connecteront ensuite à Aidants Connect.';
const setupValidity = (link: SetupLinkData) => `Ce lien personnel est valable jusqu’au ${dateTimeFr(link.expiresAt)} et ne sert qu’une fois.`;

/** The paragraphs of an e-mail carrying a setup link, around its button (the caller's). */
export function setupLinkBlocks(link: SetupLinkData, c: RenderContext) {
  const again = `${c.publicUrl}${FIRST_LOGIN_PATH}`;
  return {
    before: p(`${SETUP_STEPS} ${e(setupValidity(link))}`),
    after: p(`S’il a expiré, demandez-en un nouveau depuis la page <a href="${e(again)}">Première connexion d’un référent</a>.`),
    text: `${SETUP_STEPS} ${setupValidity(link)}\n${link.url}\n\nS’il a expiré, demandez-en un nouveau : ${again}`,
  };
}

const SETUP_IF_NOT_YOU = 'Si vous n’avez pas demandé ce lien, ignorez ce message : sans lui, personne ne peut ajouter d’application à votre compte.';

const IF_NOT_YOU = 'Si vous n’avez pas demandé à vous connecter, n’utilisez pas ce lien et prévenez votre référent : quelqu’un a saisi un code de votre carte.';

export const ESPACE_TEMPLATES = {
  // The token exists only in this e-mail (the database keeps its hash); the link's base comes from the context.
  login_link: (d: Greeted & { token: string; minutes: number }, c: RenderContext) => {
    const url = `${c.publicUrl}${LOGIN_LINK_PATH}/${d.token}`;
    const validity = `Ce lien n’est valable que ${d.minutes} minutes. Il est à usage unique.`;
    return {
      subject: 'Aidants Connect - Votre lien de connexion',
      blocks: [
        hello(d.recipientName),
        p(`Pour accéder à Aidants Connect, cliquez sur le bouton ci-dessous. ${validity}`),
        button(url, 'Me connecter à Aidants Connect'),
        p(IF_NOT_YOU),
      ],
      text: `${helloText(d.recipientName)}\n\nPour accéder à Aidants Connect, ouvrez ce lien. ${validity}\n${url}\n\n${IF_NOT_YOU}`,
    };
  },

  // Asked from the page « Première connexion d’un référent »: the link was minted with the e-mail (services/referent-first-login.ts).
  referent_setup_link: (d: Greeted & { recipientName: string; structureName: string; setupLink: SetupLinkData }, c: RenderContext) => {
    const setup = setupLinkBlocks(d.setupLink, c);
    return {
      subject: 'Aidants Connect - Votre première connexion à l’espace référent',
      blocks: [
        hello(d.recipientName),
        p(`Vous êtes référent(e) de la structure <strong>${e(d.structureName)}</strong> et vous avez demandé à vous connecter pour la première fois à l’espace référent.`),
        setup.before,
        button(d.setupLink.url, 'Configurer ma connexion'),
        setup.after,
        p(SETUP_IF_NOT_YOU),
      ],
      text: `${helloText(d.recipientName)}\n\nVous êtes référent(e) de la structure « ${d.structureName} » et vous avez demandé à vous connecter pour la première fois à l’espace référent.\n\n${setup.text}\n\n${SETUP_IF_NOT_YOU}`,
    };
  },
} as const;
