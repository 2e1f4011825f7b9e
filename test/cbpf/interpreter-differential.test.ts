// Our interpreter against libpcap over the capture corpus: libpcap's own program for each
// (capture, expression) — compiled on the opened savefile, as `tcpdump -r FILE -ddd EXPR` prints it —
// run by runCbpf on every packet must give exactly the value pcap_offline_filter gives (the verdict
// behind `tcpdump --count -r FILE EXPR`).
import { describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import { capturePath } from '../support/corpus.js';
import { differentialCaptures, libpcapVerdicts, loadExpressions } from '../support/differential.js';
import { libpcapReadPackets, type ReadPacketsResult } from '../support/oracle.js';
import { tcpdumpCount } from '../support/tcpdump.js';
import { libpcapCompileForSavefiles } from './savefile-compile.js';

describe('runCbpf against libpcap on the capture corpus', () => {
  const captures = differentialCaptures();
  let reads: ReadPacketsResult[] | undefined;
  const packetsOf = (ci: number): ReadPacketsResult =>
    (reads ??= captures.map((c) => libpcapReadPackets(c.path)))[ci];

  const title = 'gives libpcap’s verdict on every packet of every (capture, expression) pair, optimize %s';
  it.each([true, false])(title, (optimize) => {
    const exprs = loadExpressions();
    expect(exprs.length).toBeGreaterThanOrEqual(100);
    const table = libpcapVerdicts(exprs, captures, optimize);
    const programs = libpcapCompileForSavefiles(
      captures.map((c) => ({ file: c.path, exprs })),
      optimize,
    );

    let pairs = 0;
    let packetVerdicts = 0;
    let accepted = 0;
    let refusedByBoth = 0;
    const capturesFiltered = new Set<string>();
    const mismatches: string[] = [];
    captures.forEach((capture, ci) => {
      const read = packetsOf(ci);
      exprs.forEach((expr, ei) => {
        const verdict = table.verdicts[ci][ei];
        const program = programs[ci][ei];
        if (!verdict.ok || !program.ok || !read.ok) {
          if (verdict.ok || program.ok) mismatches.push(`${capture.file} «${expr}»: libpcap compiles it only once`);
          else refusedByBoth++;
          return;
        }
        const ours = read.packets.map((p) => runCbpf(program.program, p.data, p.wirelen));
        pairs++;
        capturesFiltered.add(capture.file);
        packetVerdicts += ours.length;
        accepted += ours.filter((v) => v !== 0).length;
        if (ours.length !== verdict.results.length || ours.some((v, i) => v !== verdict.results[i])) {
          const at = ours.findIndex((v, i) => v !== verdict.results[i]);
          mismatches.push(`${capture.file} «${expr}» packet ${at}: ours ${ours[at]}, libpcap ${verdict.results[at]}`);
        }
      });
    });
    console.log(
      `cbpf interpreter (optimize ${optimize}): ${pairs} (capture, expression) pairs over ` +
        `${capturesFiltered.size} captures agree with libpcap on ${packetVerdicts} packet verdicts ` +
        `(${accepted} accepting); ${refusedByBoth} pairs refused by libpcap`,
    );
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(pairs).toBeGreaterThan(100_000);
    expect(accepted).toBeGreaterThan(100_000);
  });

  it('counts what tcpdump --count -r FILE EXPR counts', () => {
    const cases = [
      { file: 'ipv6-routing-header.pcap', expr: 'ip6 protochain 58' },
      { file: 'HDLC.pcap', expr: 'icmp' },
      { file: 'quic_handshake.pcap', expr: 'ip6 and udp' },
      { file: 'libpcap-filter/ipv6_ext_headers.pcap', expr: 'ip6 protochain 17' },
    ];
    const programs = libpcapCompileForSavefiles(cases.map((c) => ({ file: capturePath(c.file), exprs: [c.expr] })));
    let total = 0;
    cases.forEach((c, i) => {
      const program = programs[i][0];
      const read = libpcapReadPackets(capturePath(c.file));
      if (!program.ok || !read.ok) throw new Error(`${c.file}: libpcap refused it`);
      const ours = read.packets.filter((p) => runCbpf(program.program, p.data, p.wirelen) !== 0).length;
      expect(ours, `${c.file}: ${c.expr}`).toBe(tcpdumpCount(capturePath(c.file), c.expr));
      total += ours;
    });
    expect(total).toBeGreaterThan(4);
  });
});
