// The secrets a production configuration must have (config/index.ts refuses the demo ones), generated once for
// the local production topology and kept in its data folder (mode 600), so that sessions, sealed TOTP seeds and
// signed tokens survive a restart. A variable set in the environment wins (an operator's real values).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const CLUSTER_SECRETS_FILE = 'cluster-secrets.json';

const GENERATORS = {
  SESSION_SECRET: () => randomBytes(32).toString('base64url'),
  SECRETS_KEY: () => randomBytes(32).toString('hex'),
  // FranceConnect's secrets are issued by FranceConnect: these only satisfy the configuration's checks (the
  // FranceConnect round trips need the real ones, or a stand-in reachable over https).
  FRANCECONNECT_CLIENT_SECRET: () => randomBytes(32).toString('base64url'),
  IDP_FC_CLIENT_SECRET: () => randomBytes(32).toString('base64url'),
} as const;

export type ClusterSecrets = Record<keyof typeof GENERATORS, string>;

export async function loadOrCreateClusterSecrets(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<ClusterSecrets> {
  const file = path.join(dataDir, CLUSTER_SECRETS_FILE);
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<ClusterSecrets>) : {};
  const secrets = { ...stored } as ClusterSecrets;
  let changed = false;
  for (const [name, generate] of Object.entries(GENERATORS) as [keyof ClusterSecrets, () => string][]) {
    if (!secrets[name]) {
      secrets[name] = generate();
      changed = true;
    }
  }
  await mkdir(dataDir, { recursive: true });
  if (changed) await writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  for (const name of Object.keys(GENERATORS) as (keyof ClusterSecrets)[]) {
    if (env[name]?.trim()) secrets[name] = env[name]!.trim();
  }
  return secrets;
}
