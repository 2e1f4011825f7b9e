// tcpdump -d/-dd/-ddd text: printed byte for byte as libpcap prints it, and parsed back.
import { describe, expect, it } from 'vitest';
import { formatCbpf, formatLines, type DumpFormat } from '../../src/cbpf/image.js';
import type { Insn } from '../../src/cbpf/insn.js';
import { mnemonicOf, printsJumpTargets } from '../../src/cbpf/mnemonics.js';
import { CbpfParseError, detectDumpFormat, parseCbpf } from '../../src/cbpf/parse.js';
import { filterTestCases, type AcceptCase } from '../support/corpus.js';
import { loadExpressions } from '../support/differential.js';
import { libpcapCompile } from '../support/oracle.js';
import { tcpdump } from '../support/tcpdump.js';
import { libpcapDump } from './libpcap-dump.js';

const FORMATS: DumpFormat[] = ['-d', '-dd', '-ddd'];

/** The instruction as a -d line shows it: fields the line does not print are 0. */
function shown(insn: Insn, style: 'tcpdump' | 'filtertest' = 'tcpdump'): Insn {
  const m = mnemonicOf(insn.code);
  const named = m !== undefined && (style === 'filtertest' || !m.afterLibpcap110);
  const hasK = named && !['none', 'x', 'pktlen'].includes(m.operand);
  const jumps = printsJumpTargets(insn.code);
  return { code: insn.code, jt: jumps ? insn.jt : 0, jf: jumps ? insn.jf : 0, k: hasK ? insn.k : 0 };
}

describe('libpcap master listings (conformance file)', () => {
  const accept = filterTestCases().filter((c): c is AcceptCase => c.kind === 'accept');

  it('parses and reprints every expected program byte for byte', () => {
    let listings = 0;
    for (const c of accept) {
      for (const lines of [c.opt, c.unopt]) {
        if (!lines) continue;
        const opcodes = lines.some((l) => l.includes('; 0x'));
        const program = parseCbpf(lines.join('\n'));
        expect(formatLines(program, { style: 'filtertest', opcodes }), c.name).toEqual(lines);
        listings++;
      }
    }
    console.log(`cbpf text: ${listings} conformance listings round-tripped`);
    expect(listings).toBe(4420);
  });

  it('reads every opcode of _enumerate_bpf_image as its `; 0x....` comment says', () => {
    const c = accept.find((x) => x.expr === '_enumerate_bpf_image')!;
    const program = parseCbpf(c.unopt.join('\n'));
    const commented = c.unopt.map((l) => parseInt(/; 0x([0-9a-f]{4})$/.exec(l)![1], 16));
    expect(program.map((i) => i.code)).toEqual(commented);
    expect(new Set(commented).size).toBe(49);
  });
});

describe('tcpdump 4.99.3 / libpcap 1.10.3 listings', () => {
  const interestingK = [
    0, 1, 2, 15, 16, 31, 32, 255, 256, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0xfffff000, 0xfffff004,
    0xfffff02c, 0xfffff030, 0xfffff03c, 0xfffff040, 0xffffefff,
  ];
  // Every 8-bit opcode with interesting k values, then every 16-bit opcode once (in chunks).
  const programs: Insn[][] = interestingK.map((k, n) =>
    Array.from({ length: 256 }, (_, code) => ({ code, jt: (code * 7 + n) & 0xff, jf: (code * 13 + n) & 0xff, k })),
  );
  for (let start = 0x100; start < 0x10000; start += 0x2000) {
    programs.push(
      Array.from({ length: Math.min(0x2000, 0x10000 - start) }, (_, i) => ({
        code: start + i,
        jt: i & 0xff,
        jf: (i >> 8) & 0xff,
        k: Math.imul(start + i, 2654435761) >>> 0,
      })),
    );
  }
  const dumps = libpcapDump(FORMATS.flatMap((format) => programs.map((program) => ({ program, format }))));
  const dumpOf = (f: number, p: number): string[] => dumps[f * programs.length + p];

  it('prints every opcode exactly as bpf_dump() does, in all three formats', () => {
    let lines = 0;
    FORMATS.forEach((format, f) =>
      programs.forEach((program, p) => {
        const ours = formatLines(program, { format });
        expect(ours, `${format} program ${p}`).toEqual(dumpOf(f, p));
        lines += ours.length;
      }),
    );
    console.log(`cbpf text: ${lines} lines identical to libpcap's bpf_dump`);
  });

  it('parses bpf_dump() output back to the program', () => {
    FORMATS.forEach((format, f) =>
      programs.forEach((program, p) => {
        const text = dumpOf(f, p).join('\n');
        expect(detectDumpFormat(text)).toBe(format);
        const parsed = parseCbpf(text);
        if (format === '-d') {
          expect(parsed).toEqual(program.map((i) => shown(i)));
          expect(formatLines(parsed)).toEqual(dumpOf(f, p));
        } else expect(parsed).toEqual(program);
      }),
    );
  });

  it('matches tcpdump itself for compiled filters, and reads its output back', () => {
    const cases = [
      { linktype: 'EN10MB', expr: 'tcp port 80', optimize: true },
      { linktype: 'EN10MB', expr: 'ip6 protochain 6', optimize: true },
      { linktype: 'LINUX_SLL', expr: 'tcp[tcpflags] & tcp-syn != 0 or icmp[icmptype] == icmp-echo', optimize: false },
      { linktype: 'IEEE802_11_RADIO', expr: 'wlan type mgt subtype beacon', optimize: true },
    ];
    const compiled = libpcapCompile(cases);
    let runs = 0;
    cases.forEach((c, i) => {
      const r = compiled[i];
      if (!r.ok) throw new Error(r.error);
      for (const format of FORMATS) {
        const td = tcpdump(['-y', c.linktype, ...(c.optimize ? [] : ['-O']), format, c.expr]);
        expect(td.status, td.stderr).toBe(0);
        expect(formatCbpf(r.program, { format })).toBe(td.stdout);
        expect(parseCbpf(td.stdout)).toEqual(format === '-d' ? r.program.map((x) => shown(x)) : r.program);
        runs++;
      }
    });
    expect(runs).toBe(12);
  });

  it('prints libpcap-compiled programs as bpf_dump() does, and round-trips them', () => {
    const exprs = loadExpressions();
    const queries = ['EN10MB', 'RAW', 'LINUX_SLL'].flatMap((linktype) =>
      exprs.flatMap((expr) => [true, false].map((optimize) => ({ linktype, expr, optimize }))),
    );
    const programs = libpcapCompile(queries).flatMap((r) => (r.ok ? [r.program] : []));
    expect(programs.length).toBeGreaterThan(exprs.length * 2);
    const dumps = libpcapDump(FORMATS.flatMap((format) => programs.map((program) => ({ program, format }))));
    FORMATS.forEach((format, f) =>
      programs.forEach((program, p) => {
        expect(formatLines(program, { format })).toEqual(dumps[f * programs.length + p]);
      }),
    );
    for (const program of programs) {
      const text = formatCbpf(program);
      expect(parseCbpf(text)).toEqual(program.map((x) => shown(x)));
      expect(parseCbpf(formatCbpf(program, { style: 'filtertest', opcodes: true }))).toEqual(
        program.map((x) => shown(x, 'filtertest')),
      );
      expect(parseCbpf(formatCbpf(program, { format: '-dd' }))).toEqual(program);
      expect(parseCbpf(formatCbpf(program, { format: '-ddd' }))).toEqual(program);
    }
    console.log(`cbpf text: ${programs.length} compiled programs round-tripped in 4 forms`);
  });
});

describe('parse errors', () => {
  const bad: [string, number][] = [
    ['(000) ldh      [12]\n(002) ret      #0\n', 2],
    ['(000) frob     [12]\n', 1],
    ['(000) ld       [12]\n(001) jeq      #0x800           jt 300\tjf 2\n', 2],
    ['(000) jeq      #0x800\n', 1],
    ['(000) ret      #0               jt 1\tjf 1\n', 1],
    ['(000) ldh      [nosuch]\n', 1],
    ['(000) ret      #99999999999\n', 1],
    ['(000) unimp    0x10000\n', 1],
    ['3\n6 0 0 0\n6 0 0 1\n', 1],
    ['1\n6 0 0\n', 2],
    ['1\n6 0 0 4294967296\n', 2],
    ['{ 0x28, 0, 0, 0x0000000c },\n{ 0x15, 0, 256, 0x800 },\n', 2],
    ['{ 0x28, 0, 0 },\n', 1],
    ['\n\nhello\n', 3],
    ['', 1],
  ];
  it.each(bad)('rejects %j at line %i with a CbpfParseError', (text, line) => {
    let error: unknown;
    try {
      parseCbpf(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CbpfParseError);
    expect((error as CbpfParseError).line).toBe(line);
  });

  it('accepts CRLF line ends, signed and unsigned decimals and trailing blank lines', () => {
    expect(parseCbpf('(000) ld       [-4]\r\n(001) ret      #4294967295\r\n\r\n')).toEqual([
      { code: 0x20, jt: 0, jf: 0, k: 0xfffffffc },
      { code: 0x06, jt: 0, jf: 0, k: 0xffffffff },
    ]);
  });
});
