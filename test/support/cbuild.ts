// Builds a small C program against the system libpcap into build/, once per process,
// rebuilding when the source is newer. Safe when several vitest workers race.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export type BuildState = { ok: true } | { ok: false; reason: string };

const built = new Map<string, BuildState>();

export function buildLibpcapProgram(source: string, binary: string): BuildState {
  const known = built.get(binary);
  if (known) return known;
  let state: BuildState = { ok: true };
  if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
    mkdirSync(path.dirname(binary), { recursive: true });
    const tmp = `${binary}.${process.pid}.${Date.now()}.tmp`;
    const cc = spawnSync('cc', ['-O2', '-Wall', '-o', tmp, source, '-lpcap'], { encoding: 'utf8' });
    if (cc.error || cc.status !== 0) {
      rmSync(tmp, { force: true });
      const why = cc.error ? cc.error.message : cc.stderr.trim();
      state = {
        ok: false,
        reason: `cannot build ${path.basename(source)} (needs a C compiler and libpcap-dev: apt-get install build-essential libpcap-dev): ${why}`,
      };
    } else {
      renameSync(tmp, binary); // atomic: a racing worker sees the old binary or the new one, never half a file
    }
  }
  built.set(binary, state);
  return state;
}
