// The reference point of bench/identity-provider.ts: a bare oidc-provider (v9) code flow, in a child process of
// its own (its CPU asked over IPC like the Aidants Connect server's). One confidential client, client_secret_post,
// HS256 id_tokens keyed with the client secret, opaque access tokens and userinfo; every model (sessions,
// interactions, codes, grants, access tokens) stored in the benchmark's PostgreSQL through the minimal `pg`
// adapter below, in a table of its own. The interaction is real and finished over HTTP by the client: with
// `prompt=login` a login page, its POST, then a consent page and its POST that saves the grant.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Provider from 'oidc-provider';
import pg from 'pg';

const REFERENCE_CLIENT = {
  clientId: 'bench-relying-party',
  clientSecret: 'bench-relying-party-secret-of-at-least-32-characters',
  redirectUri: 'https://relying-party.bench.invalid/callback',
};

const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: Number(process.env.BENCH_POOL_MAX ?? 10) });
await pool.query(`
  CREATE TABLE IF NOT EXISTS bench_oidc_payloads (
    id text NOT NULL, type text NOT NULL, payload jsonb NOT NULL, grant_id text, user_code text, uid text,
    expires_at timestamptz, consumed_at timestamptz, PRIMARY KEY (id, type));
  CREATE INDEX IF NOT EXISTS bench_oidc_payloads_grant ON bench_oidc_payloads (grant_id);
  CREATE INDEX IF NOT EXISTS bench_oidc_payloads_uid ON bench_oidc_payloads (uid);
  CREATE INDEX IF NOT EXISTS bench_oidc_payloads_user_code ON bench_oidc_payloads (user_code);`);

/** What oidc-provider hands its adapter (infra/oidc-provider.d.ts declares only what the stand-in uses). */
type AdapterPayload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string };

/** The minimal oidc-provider adapter on `pg`: one row per (id, model), payload as jsonb. */
class PgAdapter {
  constructor(private readonly type: string) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    await pool.query(`
      INSERT INTO bench_oidc_payloads (id, type, payload, grant_id, user_code, uid, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
      ON CONFLICT (id, type) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, user_code = EXCLUDED.user_code,
        uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`,
    [id, this.type, payload, payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiresIn || null]);
  }

  private async findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    const { rows } = await pool.query<{ payload: AdapterPayload; consumed_at: Date | null }>(
      `SELECT payload, consumed_at FROM bench_oidc_payloads WHERE ${column} = $1 AND type = $2 AND (expires_at IS NULL OR expires_at > now())`,
      [value, this.type],
    );
    const row = rows[0];
    if (!row) return undefined;
    return row.consumed_at ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : row.payload;
  }

  find(id: string) { return this.findWhere('id', id); }
  findByUid(uid: string) { return this.findWhere('uid', uid); }
  findByUserCode(userCode: string) { return this.findWhere('user_code', userCode); }

  async consume(id: string): Promise<void> {
    await pool.query('UPDATE bench_oidc_payloads SET consumed_at = now() WHERE id = $1 AND type = $2', [id, this.type]);
  }

  async destroy(id: string): Promise<void> {
    await pool.query('DELETE FROM bench_oidc_payloads WHERE id = $1 AND type = $2', [id, this.type]);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await pool.query('DELETE FROM bench_oidc_payloads WHERE grant_id = $1', [grantId]);
  }
}

const app = express();
app.disable('x-powered-by');
const server = createServer(app);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const provider = new Provider(issuer, {
  adapter: PgAdapter,
  clients: [{
    client_id: REFERENCE_CLIENT.clientId, client_secret: REFERENCE_CLIENT.clientSecret, redirect_uris: [REFERENCE_CLIENT.redirectUri],
    response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_post', id_token_signed_response_alg: 'HS256',
  }],
  clientAuthMethods: ['client_secret_post'],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'bench', use: 'sig', alg: 'ES256' }] },
  enabledJWA: { idTokenSigningAlgValues: ['HS256', 'ES256'] },
  pkce: { required: () => false },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], profile: ['given_name', 'family_name', 'birthdate', 'gender'] },
  features: { devInteractions: { enabled: false } },
  findAccount: (_ctx: unknown, accountId: string) => ({
    accountId,
    claims: () => ({ sub: accountId, given_name: 'Marie', family_name: 'MARTIN', birthdate: '1948-03-12', gender: 'female' }),
  }),
  // A consent at each round trip (the grant of the previous one is not reused), as Aidants Connect's aidant chooses
  // the démarche each time.
  loadExistingGrant: (ctx: { oidc: { result?: { consent?: { grantId?: string } }; provider: { Grant: { find(id: string): Promise<unknown> } } } }) => {
    const grantId = ctx.oidc.result?.consent?.grantId;
    return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
  },
  interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
});

const page = (uid: string, action: string, field: string, reasons: string[]) =>
  `<!doctype html><html lang="fr"><body><p>${reasons.join(' ')}</p><form method="post" action="/interaction/${uid}/${action}">${field}<button>Continuer</button></form></body></html>`;

app.get('/interaction/:uid', async (req, res, next) => {
  try {
    const details = await provider.interactionDetails(req, res);
    res.type('html').send(details.prompt.name === 'login'
      ? page(details.uid, 'login', '<input name="login">', details.prompt.reasons)
      : page(details.uid, 'confirm', '<input type="hidden" name="confirm" value="yes">', details.prompt.reasons));
  } catch (error) { next(error); }
});

app.post('/interaction/:uid/login', express.urlencoded({ extended: false }), async (req, res, next) => {
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name !== 'login' || typeof req.body.login !== 'string' || !req.body.login) { res.status(400).send('login'); return; }
    await provider.interactionFinished(req, res, { login: { accountId: req.body.login } }, { mergeWithLastSubmission: false });
  } catch (error) { next(error); }
});

app.post('/interaction/:uid/confirm', express.urlencoded({ extended: false }), async (req, res, next) => {
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name !== 'consent' || !details.session?.accountId) { res.status(400).send('consent'); return; }
    const grant = new provider.Grant({ accountId: details.session.accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  } catch (error) { next(error); }
});

app.use(provider.callback());

process.on('message', (message) => {
  if (message === 'cpu') process.send!({ cpu: process.cpuUsage() });
  if (message === 'stop') {
    server.closeAllConnections();
    server.close(() => void pool.end().finally(() => process.exit(0)));
  }
});
process.send!({ url: issuer, client: REFERENCE_CLIENT });
