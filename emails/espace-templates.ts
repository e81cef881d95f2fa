// E-mail templates of the espace aidant (login link, CGU) and the aidant's account. Same shape as emails/templates.ts, into which they are spread.
import { button, p } from './blocks.js';
import { hello, helloText, type Greeted, type RenderContext } from './common.js';

/** Where a login link leads (the token follows): an intermediate page, then « Me connecter ». */
export const LOGIN_LINK_PATH = '/connexion/lien';

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
} as const;
