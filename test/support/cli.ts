// Runs the `filter` command as a user would (a separate process), from the TypeScript sources.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from './oracle.js';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

const ENTRY = path.join(PROJECT_ROOT, 'test/support/run-cli.ts');

export function runFilter(args: string[], input?: Uint8Array | string): CliRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    cwd: PROJECT_ROOT,
    input,
    maxBuffer: 1 << 28,
    env: { ...process.env, TZ: 'UTC' },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), stdoutBytes: r.stdout };
}
