// Every `npm run …` script must point to files that exist (npm run provision once pointed to a missing one).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config/index.js';

const { scripts } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** The project files a command line names: arguments ending in .ts/.js/.mjs/.json that are relative paths. */
const filesOf = (command: string) => command.split(/\s+/).filter((word) => /^[\w./-]+\.(ts|js|mjs|json)$/.test(word) && !word.startsWith('-'));

describe('package.json scripts', () => {
  it.each(Object.entries(scripts))('"%s" points to files that exist', (_name, command) => {
    const files = filesOf(command);
    for (const file of files) expect({ file, exists: existsSync(path.join(PROJECT_ROOT, file)) }).toEqual({ file, exists: true });
  });

  it('has a provision script, on infra/provision.ts', () => {
    expect(filesOf(scripts.provision ?? '')).toEqual(['scripts/provision.ts']);
    expect(readFileSync(path.join(PROJECT_ROOT, 'scripts/provision.ts'), 'utf8')).toContain('../infra/provision.js');
  });
});
