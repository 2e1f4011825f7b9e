// Runs the system tcpdump (the reference) synchronously. One process per call: keep calls few.
import { spawnSync } from 'node:child_process';

/** Runs tcpdump with TZ=UTC, so its time stamps read like ours in tests. */
export function tcpdump(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('tcpdump', args, { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, TZ: 'UTC' } });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Count of matching packets as `tcpdump --count -r FILE EXPR` reports it, or null when tcpdump fails. */
export function tcpdumpCount(file: string, expr: string): number | null {
  const r = tcpdump(['--count', '-r', file, expr]);
  if (r.status !== 0) return null;
  const m = /^(\d+) packets?/m.exec(r.stdout);
  if (!m) throw new Error(`unexpected tcpdump output: ${r.stdout}`);
  return Number(m[1]);
}
