// `npm run bundle:workflows -- <file>`: writes the workflow bundle a worker started with WORKFLOW_BUNDLE=<file>
// runs as is (the Dockerfile builds one into the image): no bundling at each start, and a release's workers
// all run the very code that was built and tested.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../worker/create-worker.js';

const target = process.argv[2];
if (!target) {
  process.stderr.write('Usage: npm run bundle:workflows -- <file>   (then start workers with WORKFLOW_BUNDLE=<file>)\n');
  process.exit(64);
}
const started = Date.now();
const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
await mkdir(path.dirname(path.resolve(target)), { recursive: true });
await writeFile(target, code);
process.stdout.write(`Workflow bundle written to ${target} (${Math.round(code.length / 1024)} kB) in ${Math.round((Date.now() - started) / 1000)} s.\n`);
