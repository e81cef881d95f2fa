// `npm run provision`: installs what `npm start` and `npm test` need besides npm packages, ahead of time
// (a CI image, a machine about to go offline): the Temporal CLI, Temporal's time-skipping test server, the
// Temporal server, schema tool and Web UI of `npm run start:cluster`, and Debian's chromium. Each is skipped when already there.
import { ensureChromium, ensureTemporalCli, ensureTemporalServer, ensureTemporalUi, ensureTimeSkippingServer, explainFailure } from '../infra/provision.js';

const say = (line: string) => process.stdout.write(`▸ ${line}\n`);

try {
  say(`Temporal CLI: ${await ensureTemporalCli(say)}`);
  say(`Time-skipping test server: ${await ensureTimeSkippingServer(say)}`);
  const server = await ensureTemporalServer(say);
  say(`Temporal server (npm run start:cluster): ${server.server}, ${server.sqlTool}`);
  say(`Temporal Web UI (npm run start:cluster): ${(await ensureTemporalUi(say)) ?? 'could not be built'}`);
  say(`Chromium: ${await ensureChromium(say)}`);
  say('Everything is provisioned.');
} catch (error) {
  process.stderr.write(`✖ ${explainFailure(error)}\n`);
  process.exit(1);
}
