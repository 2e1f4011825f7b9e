// The compiled grammar is generated from filter.ne by `npm run grammar` and never edited by hand:
// regenerating it must give the committed file byte for byte.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/oracle.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'filterjit-grammar-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('src/grammar/filter.generated.ts', () => {
  it('is what nearleyc makes of filter.ne now (run `npm run grammar` after editing filter.ne)', () => {
    const out = path.join(tmp, 'filter.generated.ts');
    execFileSync(process.execPath, [
      path.join(PROJECT_ROOT, 'node_modules/nearley/bin/nearleyc.js'),
      path.join(PROJECT_ROOT, 'src/grammar/filter.ne'), '-o', out,
    ], { stdio: 'pipe' });
    const fresh = readFileSync(out, 'utf8');
    const committed = readFileSync(path.join(PROJECT_ROOT, 'src/grammar/filter.generated.ts'), 'utf8');
    expect(fresh.length).toBeGreaterThan(1000);
    expect(committed === fresh, 'filter.generated.ts is stale: run `npm run grammar`').toBe(true);
  });
});
