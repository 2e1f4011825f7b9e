// Big expressions libpcap accepts: nesting close to its parser's 10,000-entry stack, and lists of
// 10,000 and more terms. Each must compile (no stack overflow) to a program with tcpdump's verdict
// on the Ethernet corpus and on packets crafted to reach deep into both programs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import { parseCbpf } from '../../src/cbpf/parse.js';
import { compileFilter, DLT } from '../../src/codegen/index.js';
import { tcpdump } from '../support/tcpdump.js';
import { corpusByDlt, craftedPackets } from './packets.js';

const nest = (open: string, inner: string, close: string, n: number): string => open.repeat(n) + inner + close.repeat(n);
const list = (term: string, sep: string, n: number): string => new Array<string>(n).fill(term).join(sep);

// [name, expression, packets from the corpus (a run of an unoptimized 20,000-term program is long)]
const CASES: Array<[string, string, number]> = [
  ['9,990 parentheses', nest('(', 'tcp', ')', 9990), 5000],
  ['9,990 nots', nest('not ', 'tcp', '', 9990), 5000],
  ['4,990 `not (`', nest('not (', 'tcp', ')', 4990), 5000],
  ['3,300 right-nested ors', nest('(udp or ', 'tcp', ')', 3300), 1000],
  ['9,990 parentheses in arithmetic', `len = ${nest('(', '60', ')', 9990)}`, 5000],
  ['9,990 unary minus signs', `len = ${nest('-', '60', '', 9990)}`, 1000],
  // (libpcap's own compile time grows with the square of the list: 10,000 terms take it ~9 s)
  ['10,000 `or` terms', list('tcp', ' or ', 10_000), 300],
  ['20,000 `+` terms', `len >= ${list('1', ' + ', 20_000)} - 19940`, 300],
];

const dir = mkdtempSync(path.join(tmpdir(), 'filterjit-big-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** tcpdump's program for EXPR (given through -F: the text is too long for an argument). */
function libpcapProgram(expr: string): ReturnType<typeof parseCbpf> {
  const file = path.join(dir, 'expr');
  writeFileSync(file, expr);
  const r = tcpdump(['-y', 'EN10MB', '-ddd', '-F', file]);
  expect(r.status, r.stderr).toBe(0);
  return parseCbpf(r.stdout);
}

describe('big expressions', () => {
  it.each(CASES)('%s: compiles, with tcpdump\'s verdicts', async (_name, expr, corpusPackets) => {
    const theirs = libpcapProgram(expr);
    const corpus = (await corpusByDlt()).get(DLT.EN10MB)!.slice(0, corpusPackets);
    for (const optimize of [true, false]) {
      const ours = compileFilter(expr, { linktype: 'EN10MB', optimize }).program;
      const packets = [...corpus, ...craftedPackets(corpus, [theirs, ours], corpusPackets / 5, 99)];
      let accepted = 0;
      for (const p of packets) {
        const want = runCbpf(theirs, p.data, p.wirelen);
        if (want !== 0) accepted++;
        expect(runCbpf(ours, p.data, p.wirelen), `optimize ${optimize}`).toBe(want);
      }
      // both verdicts occur, or the comparison proves little
      expect(accepted).toBeGreaterThan(0);
      expect(accepted).toBeLessThan(packets.length);
    }
  }, 120_000);
});
