// The cBPF -> eBPF translation over the capture corpus: libpcap's program for every expression of the
// differential list on every capture (so every link type of the corpus), translated, must pass our
// verifier and give, on the VM, the verdict of our cBPF interpreter and of libpcap itself on every packet.
import { describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import type { Insn } from '../../src/cbpf/insn.js';
import type { EbpfInsn } from '../../src/ebpf/insn.js';
import { translateCbpf } from '../../src/ebpf/translate.js';
import { verifyEbpf } from '../../src/ebpf/verifier.js';
import { runEbpfFilter } from '../../src/ebpf/vm.js';
import { libpcapCompileForSavefiles } from '../cbpf/savefile-compile.js';
import { differentialCaptures, libpcapVerdicts, loadExpressions } from '../support/differential.js';
import { libpcapReadPackets } from '../support/oracle.js';

describe('translated programs on the capture corpus', () => {
  it('agree with runCbpf and libpcap on every packet, and pass the verifier', () => {
    const exprs = loadExpressions();
    expect(exprs.length).toBeGreaterThanOrEqual(100);
    const captures = differentialCaptures();
    const table = libpcapVerdicts(exprs, captures);
    const programs = libpcapCompileForSavefiles(captures.map((c) => ({ file: c.path, exprs })));
    const translations = new Map<string, EbpfInsn[]>();
    const translate = (program: Insn[]): EbpfInsn[] => {
      const key = program.map((i) => `${i.code},${i.jt},${i.jf},${i.k}`).join(' ');
      let e = translations.get(key);
      if (!e) {
        e = translateCbpf(program);
        const problems = verifyEbpf(e);
        if (problems.length > 0) refused.push(`${key}: ${problems[0]!.message} at ${problems[0]!.pc}`);
        translations.set(key, e);
      }
      return e;
    };
    const refused: string[] = [];
    const mismatches: string[] = [];
    let pairs = 0;
    let verdicts = 0;
    let accepted = 0;
    captures.forEach((capture, ci) => {
      const read = libpcapReadPackets(capture.path);
      if (!read.ok) return;
      exprs.forEach((expr, ei) => {
        const compiled = programs[ci]![ei]!;
        const truth = table.verdicts[ci]![ei]!;
        if (!compiled.ok) return;
        const ebpf = translate(compiled.program);
        pairs++;
        read.packets.forEach((p, pi) => {
          const ours = runEbpfFilter(ebpf, p.data, p.wirelen);
          const interp = runCbpf(compiled.program, p.data, p.wirelen);
          verdicts++;
          if (ours !== 0) accepted++;
          const libpcap = truth.ok ? truth.results[pi] : undefined;
          if (ours !== interp || (libpcap !== undefined && ours !== libpcap)) {
            mismatches.push(`${capture.file} «${expr}» packet ${pi}: eBPF ${ours}, runCbpf ${interp}, libpcap ${libpcap}`);
          }
        });
      });
    });
    console.log(
      `eBPF translation: ${translations.size} distinct programs, ${pairs} (capture, expression) pairs, ` +
        `${verdicts} packet verdicts (${accepted} accepting) agree with runCbpf and libpcap`,
    );
    expect(refused.slice(0, 10)).toEqual([]);
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(pairs).toBeGreaterThan(100_000);
    expect(accepted).toBeGreaterThan(100_000);
  });
});
