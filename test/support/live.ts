// Whether live capture can run here, for the tests that need it (they skip, saying why, when it cannot).
import { createRequire } from 'node:module';
import { openLive } from '../../src/capture/live.js';

function capLoadProblem(): string | undefined {
  try {
    createRequire(import.meta.url)('cap');
    return undefined;
  } catch (err) {
    return `npm package 'cap' cannot be loaded (${(err as Error).message.split('\n')[0]})`;
  }
}

/** Why `cap` cannot be used, or undefined. */
export const capProblem = capLoadProblem();
export const isRoot = process.getuid?.() === 0;

/** Why live capture on lo cannot run here (cap missing, not root, or a container without CAP_NET_RAW), or undefined. */
export function liveProblem(): string | undefined {
  if (capProblem) return capProblem;
  if (!isRoot) return 'live capture needs root (or CAP_NET_RAW)';
  try {
    openLive({ iface: 'lo' }).stop();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
