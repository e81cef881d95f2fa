// The Temporal Web UI server (github.com/temporalio/ui-server, the version the CLI embeds), in front of the
// cluster's frontend: the same UI as `npm start`'s dev server, as a process of its own.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startServiceProcess, type ServiceProcess } from './service-process.js';
import { isPortOpen } from './temporal-dev-server.js';

export async function startTemporalUi(options: { uiPath: string; rootDir: string; port: number; frontendAddress: string; namespace: string; logFile: string }): Promise<ServiceProcess> {
  const configDir = path.join(options.rootDir, 'ui-config');
  await mkdir(configDir, { recursive: true });
  const config = {
    temporalGrpcAddress: options.frontendAddress, host: '127.0.0.1', port: options.port, enableUi: true,
    defaultNamespace: options.namespace, showTemporalSystemNamespace: false, notifyOnNewVersion: false, hideLogs: true,
    cors: { cookieInsecure: true, allowOrigins: [`http://localhost:${options.port}`] },
  };
  await writeFile(path.join(configDir, 'production.yaml'), `${JSON.stringify(config, null, 2)}\n`);
  return startServiceProcess({
    label: 'the Temporal Web UI',
    command: options.uiPath,
    args: ['--root', options.rootDir, '--config', 'ui-config', '--env', 'production', 'start'],
    logFile: options.logFile,
    ready: () => isPortOpen(options.port),
    hint: `check that port ${options.port} is free, or delete .tools/bin/temporal-ui-server to rebuild it.`,
  });
}
