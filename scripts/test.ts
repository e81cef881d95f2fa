// `npm test`: provisions what the suite needs when it is missing (the Temporal CLI, Temporal's time-skipping
// test server, the Temporal server and UI of the production topology, Debian's chromium), type-checks, runs jest, and ends with "N passed, N failed".
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/index.js';
import { ensureChromium, ensureTemporalCli, ensureTemporalServer, ensureTemporalUi, ensureTimeSkippingServer, explainFailure } from '../infra/provision.js';

const say = (line: string) => process.stdout.write(`▸ ${line}\n`);

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

try {
  await ensureTemporalCli(say);
  await ensureTimeSkippingServer(say);
  await ensureTemporalServer(say); // the production topology's test (test/cluster.test.ts)
  await ensureTemporalUi(say);
  process.env.CHROMIUM_PATH = await ensureChromium(say);
} catch (error) {
  process.stderr.write(`✖ ${explainFailure(error)}\n`);
  process.exit(1);
}

say('Type-checking…');
const typecheck = await run(process.execPath, [path.join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json']);
if (typecheck !== 0) {
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(typecheck);
}

say('Running the test suite…');
const resultsFile = path.join(PROJECT_ROOT, '.data', 'jest-results.json');
await mkdir(path.dirname(resultsFile), { recursive: true });
await rm(resultsFile, { force: true });
const jestArgs = ['--import', 'tsx', '--experimental-vm-modules', path.join(PROJECT_ROOT, 'node_modules/jest/bin/jest.js'), '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)];
const code = await run(process.execPath, jestArgs, { ...process.env, NODE_ENV: 'test', NODE_NO_WARNINGS: '1' });

let passed = 0;
let failed = 0;
try {
  const results = JSON.parse(await readFile(resultsFile, 'utf8')) as { numPassedTests: number; numFailedTests: number; numRuntimeErrorTestSuites: number };
  passed = results.numPassedTests;
  failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
} catch {
  failed = Math.max(failed, 1);
}
if (code !== 0 && failed === 0) failed = 1;
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(code);
