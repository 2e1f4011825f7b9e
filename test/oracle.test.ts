// Checks the libpcap oracle (test/support/oracle.ts) against tcpdump and against the raw file bytes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyCases, capturePath, corpusIndex, filterTestCases, linktypeNames, linktypeValues } from './support/corpus.js';
import { libpcapCompileBench, libpcapFilterBench } from '../bench/libpcap.js';
import {
  APPLY_CASES_WHERE_1_10_3_DIFFERS,
  CAPTURES_WHERE_1_10_3_DIFFERS,
  REJECT_SAVEFILES_1_10_3_OPENS,
} from './support/known-differences.js';
import {
  DIFFERENTIAL_EXPRS_FILE,
  differentialCaptures,
  libpcapVerdicts,
  loadExpressions,
  matchCount,
  parseExpressions,
} from './support/differential.js';
import {
  libpcapCompile,
  libpcapDltNames,
  libpcapFilterFile,
  libpcapReadPackets,
  libpcapRunProgram,
  libpcapValidate,
  oracleAvailable,
  oracleUnavailableReason,
} from './support/oracle.js';
import { tcpdump, tcpdumpCount } from './support/tcpdump.js';

const nonZero = (xs: number[]): number => xs.filter((x) => x !== 0).length;

describe('libpcap oracle', () => {
  it('is available (CI installs cc and libpcap-dev)', () => {
    expect(oracleUnavailableReason()).toBeUndefined();
    expect(oracleAvailable()).toBe(true);
  });

  it('compiles exactly like tcpdump -y DLT -ddd, optimized and not', () => {
    const cases: { linktype: string; expr: string; optimize: boolean }[] = [
      { linktype: 'EN10MB', expr: 'tcp port 80', optimize: true },
      { linktype: 'EN10MB', expr: 'tcp port 80', optimize: false },
      { linktype: 'LINUX_SLL', expr: 'host 10.0.0.1 and not udp', optimize: true },
      { linktype: 'RAW', expr: 'ip and tcp[tcpflags] & (tcp-syn|tcp-ack) != 0', optimize: true },
      { linktype: 'IEEE802_11_RADIO', expr: 'wlan type mgt subtype beacon', optimize: false },
      { linktype: 'EN10MB', expr: 'vlan 100 and\nmpls', optimize: true },
    ];
    const ours = libpcapCompile(cases);
    cases.forEach((c, i) => {
      const td = tcpdump(['-y', c.linktype, ...(c.optimize ? [] : ['-O']), '-ddd', c.expr]);
      expect(td.status, td.stderr).toBe(0);
      const [count, ...lines] = td.stdout.trim().split('\n');
      const program = lines.map((l) => {
        const [code, jt, jf, k] = l.trim().split(/\s+/).map(Number);
        return { code, jt, jf, k };
      });
      expect(program.length).toBe(Number(count));
      expect(ours[i]).toEqual({ ok: true, program });
    });
  });

  it('reports compile errors with the pcap_geterr text tcpdump prints', () => {
    const [bad, unknownDlt] = libpcapCompile([
      { expr: 'tcp port', linktype: 'EN10MB' },
      { expr: 'tcp', linktype: 'NO_SUCH_DLT' },
    ]);
    const td = tcpdump(['-y', 'EN10MB', '-d', 'tcp port']);
    expect(td.status).not.toBe(0);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(td.stderr).toContain(bad.error);
    expect(unknownDlt.ok).toBe(false);
  });

  it('filters files with the same match counts as tcpdump --count', () => {
    const cases = [
      { file: 'ssh.pcap', expr: 'tcp port 22 and tcp[tcpflags] & tcp-push != 0' },
      { file: 'various_gre.pcap', expr: 'proto gre or vlan' },
      { file: 'tcp-handshake-nano.pcap', expr: 'src host 131.155.215.69' },
      { file: 'icmpv6.pcap', expr: 'icmp6 and ip6[40] == 135' },
      { file: 'vxlan.pcap', expr: 'udp port 4789 and greater 100' },
      { file: 'HDLC.pcap', expr: 'icmp' },
    ];
    const results = libpcapFilterFile(cases.map((c) => ({ file: capturePath(c.file), expr: c.expr })));
    let anyMatch = 0;
    cases.forEach((c, i) => {
      const r = results[i];
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const expected = tcpdumpCount(capturePath(c.file), c.expr);
      expect(nonZero(r.results), `${c.file}: ${c.expr}`).toBe(expected);
      const entry = corpusIndex().find((f) => f.file === c.file)!;
      expect(r.results.length).toBe(entry.packets);
      anyMatch += nonZero(r.results);
    });
    expect(anyMatch).toBeGreaterThan(0);
  });

  it('distinguishes open errors, compile errors and read errors', () => {
    const [missing, syntax, truncated, multi] = libpcapFilterFile([
      { file: capturePath('no-such-file.pcap'), expr: 'tcp' },
      { file: capturePath('ssh.pcap'), expr: 'tcp port' },
      { file: capturePath('crafted/truncated-record.pcap'), expr: '' },
      { file: capturePath('crafted/multi-interface.pcapng'), expr: 'ip' },
    ]);
    expect(missing).toMatchObject({ ok: false, stage: 'open' });
    expect(syntax).toMatchObject({ ok: false, stage: 'compile', error: 'can\'t parse filter expression: syntax error' });
    expect(truncated.ok).toBe(true);
    if (truncated.ok) {
      expect(truncated.results.length).toBe(263);
      expect(truncated.readError).toMatch(/truncated/);
    }
    expect(multi.ok && multi.readError).toMatch(/different from the type of the first interface/);
  });

  it('reads packets exactly as stored in a little-endian pcap file', () => {
    const file = capturePath('tcp-handshake-nano.pcap'); // nanosecond magic
    const r = libpcapReadPackets(file);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const buf = readFileSync(file);
    expect(buf.readUInt32LE(0)).toBe(0xa1b23c4d);
    expect(r.snaplen).toBe(buf.readUInt32LE(16));
    expect(r.linktype).toBe(buf.readUInt32LE(20) & 0x0fffffff);
    let off = 24;
    for (const p of r.packets) {
      expect([p.tsSec, p.tsNsec, p.caplen, p.wirelen]).toEqual([0, 4, 8, 12].map((d) => buf.readUInt32LE(off + d)));
      expect(Buffer.from(p.data).equals(buf.subarray(off + 16, off + 16 + p.caplen))).toBe(true);
      off += 16 + p.caplen;
    }
    expect(off).toBe(buf.length);
    const stamps = tcpdump(['-r', file, '--nano', '-tt', '-n', '-q'])
      .stdout.split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split(' ')[0]);
    expect(stamps).toEqual(r.packets.map((p) => `${p.tsSec}.${String(p.tsNsec).padStart(9, '0')}`));
  });

  it('scales microsecond time stamps to nanoseconds and reports read errors', () => {
    const r = libpcapReadPackets(capturePath('ssh.pcap'));
    expect(r.ok && r.packets.every((p) => p.tsNsec % 1000 === 0)).toBe(true);
    const corrupt = libpcapReadPackets(capturePath('crafted/corrupt-caplen.pcap'));
    expect(corrupt.ok && corrupt.packets.length).toBe(1);
    expect(corrupt.ok && corrupt.readError).toMatch(/capture length/);
    expect(libpcapReadPackets(capturePath('no-such-file.pcap')).ok).toBe(false);
  });

  it("runs programs with bpf_filter exactly as pcap_offline_filter does", () => {
    const file = capturePath('ssh.pcap');
    const expr = 'tcp[tcpflags] & tcp-push != 0 and len > 100';
    const read = libpcapReadPackets(file);
    if (!read.ok) throw new Error('setup failed');
    // pcap_open_offline uses the file's snaplen, which is what a matching packet returns.
    const [compiled] = libpcapCompile([{ expr, linktype: read.linktype, snaplen: read.snaplen }]);
    const [filtered] = libpcapFilterFile([{ file, expr }]);
    if (!compiled.ok || !filtered.ok) throw new Error('setup failed');
    const run = libpcapRunProgram(compiled.program, read.packets);
    expect(run).toEqual(filtered.results);
    expect(nonZero(run)).toBeGreaterThan(0);
    expect(nonZero(run)).toBeLessThan(run.length);
  });

  it('refuses programs bpf_validate rejects instead of running them', () => {
    const jumpOut = [{ code: 0x05, jt: 0, jf: 0, k: 5 }, { code: 0x06, jt: 0, jf: 0, k: 1 }];
    const retA = [{ code: 0x16, jt: 0, jf: 0, k: 0 }];
    expect(libpcapValidate([jumpOut, retA, []])).toEqual([false, true, false]);
    expect(() => libpcapRunProgram(jumpOut, [])).toThrow(/bpf_validate/);
  });

  it('maps INDEX.tsv link-type names to the DLT libpcap reports for the file, and back', () => {
    const index = corpusIndex();
    const values = linktypeValues(index.map((f) => f.linktype));
    const oneOfEach = [...new Map(index.map((f) => [f.linktype, f])).values()];
    expect(oneOfEach.length).toBe(35);
    for (const f of oneOfEach) {
      const r = libpcapReadPackets(f.path);
      expect(r.ok && r.linktype, f.file).toBe(values.get(f.linktype));
    }
    expect(linktypeNames(oneOfEach.map((f) => values.get(f.linktype)!))).toEqual(oneOfEach.map((f) => f.linktype));
    expect(libpcapDltNames([1])).toEqual([{ name: 'EN10MB', description: 'Ethernet' }]);
  });
});

describe('differential expression fixture', () => {
  const exprs = loadExpressions();
  const table = libpcapVerdicts(exprs);

  it('has at least 170 distinct expressions', () => {
    expect(exprs.length).toBeGreaterThanOrEqual(170);
    expect(new Set(exprs).size).toBe(exprs.length);
  });

  it('covers every readable capture, one verdict per packet', () => {
    expect(table.captures).toEqual(differentialCaptures());
    expect(table.captures.length).toBe(corpusIndex().length + 42);
    table.captures.forEach((c, i) => {
      const first = table.verdicts[i][0];
      expect(first.ok, c.file).toBe(true);
      const entry = corpusIndex().find((f) => f.file === c.file);
      if (entry && first.ok) expect(first.results.length, c.file).toBe(entry.packets);
    });
  });

  // The fixture's last section lists expressions libpcap refuses; every other one compiles somewhere.
  const [, rejectedSection = ''] = readFileSync(DIFFERENTIAL_EXPRS_FILE, 'utf8').split(/^# --- rejected by libpcap everywhere.*$/m);
  const compilesSomewhere = (j: number): boolean => table.verdicts.some((row) => row[j].ok);

  it('has a last section of expressions libpcap refuses on every capture, and only those', () => {
    const refused = parseExpressions(rejectedSection);
    expect(refused.length).toBeGreaterThan(20);
    expect(exprs.filter((_, j) => !compilesSomewhere(j))).toEqual(refused);
  });

  it('has teeth: every accepted expression matches some packet and rejects others', () => {
    const weak = exprs.filter((_, j) => {
      if (!compilesSomewhere(j)) return false;
      const matched = table.verdicts.reduce((n, row) => n + matchCount(row[j]), 0);
      const rejected = table.verdicts.reduce((n, row) => {
        const v = row[j];
        return n + (v.ok ? v.results.length - matchCount(v) : 0);
      }, 0);
      return matched === 0 || (rejected === 0 && exprs[j] !== 'len >= 0');
    });
    expect(weak).toEqual([
      // Only SunATM / MTP2 captures accept these, and all their packets match.
      'vpi 0',
      'msu',
      'sio > 2',
      'hfisu or hmsu',
      // Deliberate: exercises libpcap's offset bookkeeping across `or`, and matches nothing.
      '(vlan or mpls) and (ip or icmp or ip6)',
    ]);
  });

  it('agrees with tcpdump --count on a sample of (file, expression) pairs', () => {
    const sample = [
      ['ipv4_tcp_http_xml.pcap', 'vlan and ip and tcp port 80'],
      ['various_gre.pcap', 'vlan'],
      ['geneve.pcap', 'geneve 11 and icmp'],
      ['802.1ad_QinQ.pcap', 'vlan 200 and vlan 2001'],
    ] as const;
    for (const [file, expr] of sample) {
      const i = table.captures.findIndex((c) => c.file === file);
      const j = exprs.indexOf(expr);
      expect(i >= 0 && j >= 0, `${file} / ${expr}`).toBe(true);
      expect(matchCount(table.verdicts[i][j]), `${file} / ${expr}`).toBe(tcpdumpCount(capturePath(file), expr));
    }
  });
});

describe('libpcap 1.10.3 versus libpcap master (conformance data)', () => {
  const cases = applyCases().filter((c) => c.skip_if === null);
  const verdicts = libpcapFilterFile(
    cases.flatMap((c) => [false, true].map((optimize) => ({ file: capturePath(c.savefile), expr: c.expr, optimize, netmask: c.netmask ?? undefined }))),
  );
  const agrees = (i: number, optimize: boolean): boolean => {
    const v = verdicts[2 * i + (optimize ? 1 : 0)];
    return v.ok && v.results.length === cases[i].results.length && v.results.every((r, j) => r === cases[i].results[j]);
  };

  it('agrees on every apply case except the documented ones, optimized or not', () => {
    expect(cases.length).toBeGreaterThan(150);
    expect(cases.filter((_, i) => !agrees(i, true)).map((c) => c.name)).toEqual(APPLY_CASES_WHERE_1_10_3_DIFFERS);
    expect(cases.filter((_, i) => !agrees(i, false)).map((c) => c.name)).toEqual(APPLY_CASES_WHERE_1_10_3_DIFFERS);
  });

  it('lists every capture of a differing apply case among the captures to treat with care', () => {
    const differing = new Set(APPLY_CASES_WHERE_1_10_3_DIFFERS);
    for (const c of cases.filter((x) => differing.has(x.name))) expect(Object.keys(CAPTURES_WHERE_1_10_3_DIFFERS)).toContain(c.savefile);
    const known = new Set(differentialCaptures().map((c) => c.file));
    for (const f of Object.keys(CAPTURES_WHERE_1_10_3_DIFFERS)) expect(known.has(f), f).toBe(true);
  });

  it('refuses to open the savefiles master refuses, except the documented ones', () => {
    const rejects = filterTestCases().filter((c) => c.kind === 'reject' && c.savefile !== null);
    const opened = libpcapFilterFile(rejects.map((c) => ({ file: capturePath(c.savefile!), expr: '' })));
    expect(rejects.filter((_, i) => !(!opened[i].ok && opened[i].stage === 'open')).map((c) => c.name)).toEqual(
      REJECT_SAVEFILES_1_10_3_OPENS,
    );
  });

  it('loads the filter test records with their documented counts', () => {
    const all = filterTestCases();
    const accept = all.filter((c) => c.kind === 'accept');
    const reject = all.filter((c) => c.kind === 'reject');
    expect([accept.length, reject.length]).toEqual([2230, 16077]);
    expect(accept.every((c) => typeof c.expr === 'string' && Array.isArray(c.unopt) && c.error === null)).toBe(true);
    expect(reject.every((c) => typeof c.error === 'string' && c.unopt === null)).toBe(true);
    expect(reject.filter((c) => c.savefile !== null).map((c) => c.savefile!.split('/')[0])).toEqual(Array(6).fill('invalid'));
    expect(applyCases().length).toBe(185);
  });
});

describe('libpcap benchmark tool', () => {
  it('counts the same matches as the oracle and reports a positive time', () => {
    const file = capturePath('ssh.pcap');
    const expr = 'tcp[tcpflags] & tcp-push != 0';
    const [v] = libpcapFilterFile([{ file, expr }]);
    const t = libpcapFilterBench(file, expr, 3);
    expect({ packets: t.packets, matches: t.matches }).toEqual({ packets: 54, matches: v.ok ? nonZero(v.results) : -1 });
    expect(t.nsPerPacket).toBeGreaterThan(0);
  });

  it('compiles the same program length as the oracle', () => {
    const expr = 'tcp port 80 and (host 10.0.0.1 or\nhost 10.0.0.2)';
    const [c] = libpcapCompile([{ expr, linktype: 'EN10MB' }]);
    const t = libpcapCompileBench('EN10MB', expr, 5);
    expect(t.insns).toBe(c.ok ? c.program.length : -1);
    expect(t.repeat).toBe(5);
    expect(t.seconds).toBeGreaterThan(0);
  });
});
