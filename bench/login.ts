// The aidant login round trip, over HTTP on the running app: the code form (GET, POST e-mail + code), the link
// read from the outbox row the POST stored (its delivery runs on the worker meanwhile), the link's page and
// « Me connecter » (GET, POST), then the espace aidant (GET). A code serves once per card and time step: each
// simulated login is an aidant of its own.
import { QueryTypes, type Sequelize } from 'sequelize';
import { codeOf, createPerson, createStructure, type TestPerson } from '../test/support/espace.js';

const CSRF = /name="_csrf" value="([^"]+)"/;
const LINK = /(\/connexion\/lien\/[A-Za-z0-9_-]{43})/;

/** A cookie jar of one browser. */
function jar() {
  const cookies = new Map<string, string>();
  return {
    header: () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    keep(res: Response) {
      for (const cookie of res.headers.getSetCookie()) {
        const pair = cookie.split(';')[0];
        const at = pair.indexOf('=');
        cookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
      return res;
    },
  };
}

async function loginRoundTrip(baseUrl: string, sequelize: Sequelize, person: TestPerson): Promise<void> {
  const browser = jar();
  const get = async (path: string) => browser.keep(await fetch(`${baseUrl}${path}`, { headers: { cookie: browser.header() }, redirect: 'manual' }));
  const post = async (path: string, body: Record<string, string>) => browser.keep(await fetch(`${baseUrl}${path}`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams(body).toString(),
    headers: { cookie: browser.header(), 'content-type': 'application/x-www-form-urlencoded' },
  }));
  const csrfOf = async (res: Response) => CSRF.exec(await res.text())?.[1] ?? '';

  const form = await get('/connexion');
  const asked = await post('/connexion', { _csrf: await csrfOf(form), email: person.user.email, otp: codeOf(person) });
  if (asked.headers.get('location') !== '/connexion/email-envoye') throw new Error(`the code form answered ${asked.status}`);
  const [row] = await sequelize.query<{ text_body: string }>(
    "SELECT text_body FROM email_outbox WHERE template = 'login_link' AND recipients @> ARRAY[:email] ORDER BY created_at DESC LIMIT 1",
    { replacements: { email: person.user.email }, type: QueryTypes.SELECT },
  );
  const link = LINK.exec(row?.text_body ?? '')?.[1];
  if (!link) throw new Error('no login link in the outbox');
  const page = await get(link);
  const used = await post(link, { _csrf: await csrfOf(page) });
  if (used.headers.get('location') !== '/espace-aidant') throw new Error(`the link answered ${used.status}`);
  const home = await get('/espace-aidant');
  await home.text();
  if (home.status !== 200) throw new Error(`the espace aidant answered ${home.status}`);
}

/** Runs `count` logins, `concurrency` at a time, and prints logins per second and the round trip's p50/p99. */
export async function benchLogin(options: { baseUrl: string; sequelize: Sequelize; line: (name: string, figures: string) => void; count?: number; concurrency?: number }): Promise<void> {
  const { baseUrl, sequelize, count = 320, concurrency = 8 } = options;
  const warmUp = 16;
  const structure = await createStructure('CCAS du banc d’essai');
  const people: TestPerson[] = [];
  for (let i = 0; i < count + warmUp; i += 1) people.push(await createPerson(structure));
  for (const person of people.slice(0, warmUp)) await loginRoundTrip(baseUrl, sequelize, person);

  const latencies: number[] = [];
  const queue = people.slice(warmUp);
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let person = queue.shift(); person; person = queue.shift()) {
      const t = performance.now();
      await loginRoundTrip(baseUrl, sequelize, person);
      latencies.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
  options.line(`login round trip: code → link → espace (${concurrency} users)`, `${(count / seconds).toFixed(1)} logins/s  p50 ${at(0.5)} ms  p99 ${at(0.99)} ms  (${count} logins)`);
}
