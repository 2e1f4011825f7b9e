// The system libpcap's bpf_dump() (what `tcpdump -d/-dd/-ddd` prints) for arbitrary programs,
// through test/cbpf/bpf-dump.c; one process per call.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Insn } from '../../src/cbpf/insn.js';
import type { DumpFormat } from '../../src/cbpf/image.js';
import { buildLibpcapProgram } from '../support/cbuild.js';
import { BUILD_DIR, PROJECT_ROOT } from '../support/oracle.js';

const SOURCE = path.join(PROJECT_ROOT, 'test/cbpf/bpf-dump.c');
const BINARY = path.join(BUILD_DIR, 'cbpf-bpf-dump');
const OPTION: Record<DumpFormat, number> = { '-d': 1, '-dd': 2, '-ddd': 3 };

/** bpf_dump's output lines for each program, in the format asked. */
export function libpcapDump(queries: { program: readonly Insn[]; format: DumpFormat }[]): string[][] {
  const state = buildLibpcapProgram(SOURCE, BINARY);
  if (!state.ok) throw new Error(state.reason);
  const input = queries
    .map((q) => {
      const fields = q.program.flatMap((i) => [i.code, i.jt, i.jf, i.k >>> 0]);
      return [OPTION[q.format], q.program.length, ...fields].join(' ');
    })
    .join('\n');
  const out = spawnSync(BINARY, [], { input: `${input}\n`, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (out.error || out.status !== 0) throw new Error(`bpf-dump failed: ${out.error?.message ?? out.stderr}`);
  const dumps: string[][] = [[]];
  for (const line of out.stdout.split('\n').slice(0, -1)) {
    if (line === '--') dumps.push([]);
    else dumps[dumps.length - 1].push(line);
  }
  dumps.pop();
  if (dumps.length !== queries.length) throw new Error(`bpf-dump answered ${dumps.length} of ${queries.length}`);
  return dumps;
}
