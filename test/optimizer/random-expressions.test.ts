// Random expressions from the grammar: optimizing never changes a verdict, both on libpcap's
// unoptimized programs and on our own code generator's output.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import type { Insn } from '../../src/cbpf/insn.js';
import { compileFilter } from '../../src/codegen/index.js';
import { optimize, RejectsAllPacketsError } from '../../src/codegen/optimizer/index.js';
import { corpusByDlt, craftedPackets, type Packet } from '../codegen/packets.js';
import { linktypeValues } from '../support/corpus.js';
import { libpcapCompile } from '../support/oracle.js';
import { expressionArb } from './expressions.js';
import { firstDifference, hex, runnable, sample } from './support.js';

const LINKTYPES = ['EN10MB', 'LINUX_SLL', 'RAW'];
const COUNT = 240;

interface Pair {
  expr: string;
  linktype: string;
  /** unoptimized and optimized programs, 8-bit offsets */
  unopt: Insn[];
  opt: Insn[];
  packets: Packet[];
}

const optimized = (unopt: Insn[]): Insn[] => {
  try {
    return runnable(optimize(unopt));
  } catch (err) {
    if (err instanceof RejectsAllPacketsError) return err.program;
    throw err;
  }
};

describe('optimizer on random expressions', () => {
  const exprs = fc.sample(expressionArb, { numRuns: COUNT, seed: 20240606 });
  const libpcapPairs: Pair[] = [];
  const ourPairs: Pair[] = [];
  let corpus: Map<string, Packet[]>;

  beforeAll(async () => {
    const byDlt = await corpusByDlt();
    const dlts = linktypeValues(LINKTYPES);
    corpus = new Map(LINKTYPES.map((l) => [l, sample(byDlt.get(dlts.get(l)!) ?? [], 300)]));
    const queries = exprs.map((expr, i) => ({ expr, linktype: LINKTYPES[i % LINKTYPES.length], optimize: false }));
    libpcapCompile(queries).forEach((r, i) => {
      if (!r.ok) return;
      const { expr, linktype } = queries[i];
      const opt = optimized(r.program);
      const real = corpus.get(linktype)!;
      libpcapPairs.push({ expr, linktype, unopt: r.program, opt, packets: [...real, ...craftedPackets(real, [r.program, opt], 300, i)] });
    });
    exprs.forEach((expr, i) => {
      const linktype = LINKTYPES[i % LINKTYPES.length];
      let unopt: Insn[];
      let opt: Insn[];
      try {
        unopt = compileFilter(expr, { linktype, optimize: false }).program;
        opt = compileFilter(expr, { linktype }).program;
      } catch {
        return; // refused (the code generation tests check refusals)
      }
      const real = corpus.get(linktype)!;
      ourPairs.push({ expr, linktype, unopt, opt, packets: [...real, ...craftedPackets(real, [unopt, opt], 300, i)] });
    });
  });

  const check = (pairs: Pair[]): string[] =>
    pairs.flatMap((p) => {
      const d = firstDifference(p.unopt, p.opt, p.packets);
      return d ? [`${p.linktype} ${p.expr}: packet ${hex(d[0])} unopt ${d[1]} optimized ${d[2]}`] : [];
    });

  it('keeps the verdicts of libpcap unoptimized programs', () => {
    console.log(`random expressions: libpcap compiled ${libpcapPairs.length} of ${exprs.length}`);
    expect(libpcapPairs.length).toBeGreaterThan(COUNT / 2);
    expect(check(libpcapPairs)).toEqual([]);
  });

  it('keeps the verdicts of our code generator (optimize: false vs default)', () => {
    console.log(`random expressions: our code generator compiled ${ourPairs.length} of ${exprs.length}`);
    expect(ourPairs.length).toBeGreaterThan(COUNT / 2);
    expect(check(ourPairs)).toEqual([]);
  });

  it('keeps verdicts on arbitrary packets (fast-check over the compiled programs)', () => {
    const pairs = [...libpcapPairs, ...ourPairs];
    fc.assert(
      fc.property(
        fc.nat(pairs.length - 1),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(120), fc.nat(255)), { maxLength: 8 }),
        fc.nat(160),
        (which, base, writes, cut) => {
          const pair = pairs[which];
          const real = corpus.get(pair.linktype)!;
          const data = new Uint8Array(real.length ? real[base % real.length].data : new Uint8Array(80));
          for (const [off, v] of writes) if (off < data.length) data[off] = v;
          const pkt = data.subarray(0, Math.min(cut, data.length));
          expect(runCbpf(pair.opt, pkt)).toBe(runCbpf(pair.unopt, pkt));
        },
      ),
      { numRuns: 20000, seed: 7 },
    );
  });
});
