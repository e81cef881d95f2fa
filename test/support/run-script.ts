// Runs one of the project's scripts as `npm run` would (node --import tsx <file>), to its exit.
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../../config/index.js';

export interface ScriptRun { code: number | null; stdout: string; stderr: string }

export function runScript(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
