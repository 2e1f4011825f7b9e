// Programs libpcap compiles for a savefile (what `tcpdump -r FILE -ddd EXPR` prints), many per
// process, through test/cbpf/savefile-compile.c.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { CompileResult } from '../support/oracle.js';
import { buildLibpcapProgram } from '../support/cbuild.js';
import { BUILD_DIR, PROJECT_ROOT } from '../support/oracle.js';

const SOURCE = path.join(PROJECT_ROOT, 'test/cbpf/savefile-compile.c');
const BINARY = path.join(BUILD_DIR, 'cbpf-savefile-compile');

const hex = (s: string): string => `x${Buffer.from(s, 'utf8').toString('hex')}`;

/** For each file, libpcap's program (netmask unknown) or error for each expression. */
export function libpcapCompileForSavefiles(
  queries: { file: string; exprs: string[] }[],
  optimize = true,
): CompileResult[][] {
  const state = buildLibpcapProgram(SOURCE, BINARY);
  if (!state.ok) throw new Error(state.reason);
  const input = queries
    .map((q) => [hex(q.file), optimize ? 1 : 0, q.exprs.length, ...q.exprs.map(hex)].join(' '))
    .join('\n');
  const out = spawnSync(BINARY, [], { input: `${input}\n`, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (out.error || out.status !== 0) throw new Error(`savefile-compile failed: ${out.error?.message ?? out.stderr}`);
  const answers = out.stdout.split('\n').slice(0, -1);
  const total = queries.reduce((n, q) => n + q.exprs.length, 0);
  if (answers.length !== total) throw new Error(`savefile-compile answered ${answers.length} of ${total}`);
  let at = 0;
  return queries.map((q) => q.exprs.map(() => parseAnswer(answers[at++])));
}

function parseAnswer(line: string): CompileResult {
  if (line.startsWith('error ')) return { ok: false, error: line.slice(6) };
  const [, , ...fields] = line.split(' ').map(Number);
  const program = [];
  for (let i = 0; i < fields.length; i += 4) {
    program.push({ code: fields[i], jt: fields[i + 1], jf: fields[i + 2], k: fields[i + 3] });
  }
  return { ok: true, program };
}
