// The back-office refuses state-changing requests from another site: without the session's XSRF token, with
// a foreign Origin or Referer, or marked cross-site by the browser; its own calls still pass.
import supertest from 'supertest';
import { generateSync } from 'otplib';
import { RequestMessage } from '../db/models/index.js';
import { DEMO_PASSWORD } from '../services/demo-data.js';
import { createAdminFixtures } from './support/admin-fixtures.js';
import { logIn } from './support/admin-session.js';
import { useBackOfficeStack } from './support/back-office-stack.js';
import { createStaffMember } from './support/factories.js';

let staff: Awaited<ReturnType<typeof createStaffMember>>;
let other: typeof staff; // a second person: a TOTP code is accepted once
let requestId: string;

const stack = useBackOfficeStack({
  prepare: async () => {
    staff = await createStaffMember('anct_staff');
    other = await createStaffMember('anct_jury');
    requestId = (await createAdminFixtures([staff.id])).ids.habilitation_requests;
  },
});

const CROSS_SITE = 'Requête refusée : elle ne provient pas du back-office d’Aidants Connect. Ouvrez le back-office et recommencez.';
const NO_TOKEN = 'Requête refusée : votre session a changé. Rechargez la page puis recommencez.';

describe('the back-office API against cross-site requests', () => {
  it('refuses a POST without the session token, with a foreign origin or referer, or marked cross-site', async () => {
    const agent = await logIn(stack.web.url, staff.email, staff.totp);
    const path = `/admin/api/resources/habilitation_requests/records/${requestId}/sendMessage`;
    const post = (content: string) => agent.post(path).field('content', content);

    // Another session's agent, the same cookies but no token header: what a forged form would send.
    const cookies = (await agent.get('/admin/api/dashboard')).request.cookies;
    const noToken = await supertest(stack.web.url).post(path).set('Cookie', cookies).field('content', 'Message forgé');
    expect(noToken.status).toBe(403);
    expect(noToken.body.message).toBe(NO_TOKEN);
    const wrongToken = await supertest(stack.web.url).post(path).set('Cookie', cookies).set('X-XSRF-TOKEN', 'x'.repeat(32)).field('content', 'Message forgé');
    expect(wrongToken.status).toBe(403);

    const foreignOrigin = await post('Message forgé').set('Origin', 'https://exemple-malveillant.fr');
    expect(foreignOrigin.status).toBe(403);
    expect(foreignOrigin.body.message).toBe(CROSS_SITE);
    const foreignReferer = await post('Message forgé').set('Referer', 'https://exemple-malveillant.fr/page');
    expect(foreignReferer.status).toBe(403);
    const crossSite = await post('Message forgé').set('Sec-Fetch-Site', 'cross-site');
    expect(crossSite.status).toBe(403);
    expect(await RequestMessage.count({ where: { habilitationRequestId: requestId, content: 'Message forgé' } })).toBe(0);

    // The same call from the back-office itself passes the guard and reaches the action.
    const own = await post('').set('Origin', stack.web.url).set('Sec-Fetch-Site', 'same-origin');
    expect(own.status).toBe(200);
    expect(own.body.notice).toEqual({ type: 'error', message: 'Le champ « Message au demandeur » est obligatoire.' });
  });

  it('refuses a login form posted from another site, and keeps the login working from its own page', async () => {
    const agent = supertest.agent(stack.web.url);
    const page = await agent.get('/admin/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    const form = { _csrf: csrf, email: other.email, password: DEMO_PASSWORD, otp: generateSync({ secret: other.totp, period: 30, digits: 6 }) };
    const forged = await agent.post('/admin/login').type('form').set('Origin', 'https://exemple-malveillant.fr').send(form);
    expect(forged.status).toBe(403);
    expect(forged.text).toBe(CROSS_SITE);
    const own = await agent.post('/admin/login').type('form').set('Origin', stack.web.url).send(form);
    expect(own.status).toBe(303);
  });
});
