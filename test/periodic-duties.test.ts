// The list of periodic duties (services/periodic-duties.ts) is the one place they are declared: ids unique, a
// French description for the Temporal UI, a workflow the worker registers, and a line in the README's table.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/index.js';
import { PERIODIC_DUTIES } from '../services/periodic-duties.js';
import * as workflows from '../workflows/index.js';

describe('periodic duties', () => {
  it('are declared once each, described in French, run registered workflows, and are listed in the README', async () => {
    const ids = PERIODIC_DUTIES.map((duty) => duty.id);
    expect(new Set(ids).size).toBe(ids.length);
    const readme = await readFile(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
    for (const duty of PERIODIC_DUTIES) {
      expect(Object.keys(workflows)).toContain(duty.workflowType);
      expect(duty.description).toMatch(/[a-zé]{4,} /);
      expect(readme).toContain(`| \`${duty.id}\` |`);
    }
  });
});
