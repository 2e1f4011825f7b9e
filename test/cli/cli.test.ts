// The `filter` command run as a process, checked against tcpdump and libpcap on shipped and shared captures.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCbpf } from '../../src/cbpf/parse.js';
import { formatCbpf } from '../../src/cbpf/image.js';
import { compile } from '../../src/filter.js';
import { assembleEbpf } from '../../src/ebpf/asm.js';
import { encodeEbpf } from '../../src/ebpf/encode.js';
import { runFilter } from '../support/cli.js';
import { tcpdump as runTcpdump, tcpdumpCount as countOrNull } from '../support/tcpdump.js';
import { capturePath, PCAPS_DIR } from '../support/corpus.js';
import { libpcapCompile, libpcapReadPackets, libpcapRunProgram, PROJECT_ROOT, type Insn, type OraclePacket } from '../support/oracle.js';
import { readCapture } from '../../src/capture/index.js';

const HTTP = path.join(PROJECT_ROOT, 'pcaps/http.pcap');
const MIXED = path.join(PCAPS_DIR, 'dhcp-rfc4388.pcap');
const NANO = path.join(PCAPS_DIR, 'tcp-handshake-nano.pcap');
const PCAPNG = path.join(PCAPS_DIR, 'OSPFv2_Capture_FINAL.pcapng');
const dir = mkdtempSync(path.join(tmpdir(), 'filterjit-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `--count` prints, in tcpdump's words. */
const countLine = (n: number): string => `${n} packet${n === 1 ? '' : 's'}\n`;

const tcpdumpCount = (file: string, expr: string): number => {
  const n = countOrNull(file, expr);
  if (n === null) throw new Error(`tcpdump refused '${expr}' on ${file}`);
  return n;
};

function packetsOf(file: string): OraclePacket[] {
  const r = libpcapReadPackets(file);
  if (!r.ok) throw new Error(r.error);
  return r.packets;
}

/** Same packets read back by libpcap: bytes, lengths, and timestamps to the microsecond (tcpdump -w writes µs). */
function expectSamePackets(ours: string, theirs: string): number {
  const a = packetsOf(ours);
  const b = packetsOf(theirs);
  expect(a.length).toBe(b.length);
  a.forEach((p, i) => {
    expect(p.tsSec).toBe(b[i].tsSec);
    expect(Math.floor(p.tsNsec / 1000)).toBe(Math.floor(b[i].tsNsec / 1000));
    expect(p.caplen).toBe(b[i].caplen);
    expect(p.wirelen).toBe(b[i].wirelen);
    expect(Buffer.from(p.data).equals(Buffer.from(b[i].data))).toBe(true);
  });
  return a.length;
}

describe('filter command', () => {
  it('prints one tcpdump-style line per matching packet', () => {
    const r = runFilter(['tcp port 80', HTTP]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(tcpdumpCount(HTTP, 'tcp port 80'));
    // The same addresses, ports and TCP flags tcpdump -n prints, in the same order.
    const reference = runTcpdump(['-n', '-r', HTTP, 'tcp port 80']).stdout.trim().split('\n');
    lines.forEach((line, i) => {
      const [, time, src, dst, flags] = /^(\S+) IP (\S+) > (\S+): Flags \[([^\]]+)\]/.exec(reference[i])!;
      expect(line).toContain(`${time} IP ${src} > ${dst}: tcp [${flags}]`);
    });
  });

  it('--count prints what tcpdump --count prints, on pcap, pcapng, nanosecond and gzip input', () => {
    const gz = path.join(dir, 'mixed.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(MIXED)));
    for (const [file, expr] of [[MIXED, 'udp'], [MIXED, 'arp or icmp'], [PCAPNG, 'ip proto 89'], [NANO, 'tcp[tcpflags] & tcp-syn != 0']]) {
      const r = runFilter(['--count', expr, file]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(countLine(tcpdumpCount(file, expr)));
    }
    expect(runFilter(['--count', 'udp', gz]).stdout).toBe(countLine(tcpdumpCount(MIXED, 'udp')));
  });

  it('-w writes the packets tcpdump -w writes, from pcap and pcapng input', () => {
    for (const [file, expr] of [[MIXED, 'udp port 67 or arp'], [PCAPNG, 'ip'], [NANO, 'tcp']]) {
      const ours = path.join(dir, 'ours.pcap');
      const theirs = path.join(dir, 'theirs.pcap');
      expect(runFilter([expr, file, '-w', ours]).status).toBe(0);
      expect(runTcpdump(['-r', file, '-w', theirs, expr]).status).toBe(0);
      expect(expectSamePackets(ours, theirs)).toBeGreaterThan(0);
    }
  });

  it('--pcapng and -w - write captures tcpdump reads back to the same packets', () => {
    const ng = path.join(dir, 'out.pcapng');
    const theirs = path.join(dir, 'theirs.pcap');
    expect(runFilter(['--pcapng', 'udp', MIXED, '-w', ng]).status).toBe(0);
    expect(runTcpdump(['-r', MIXED, '-w', theirs, 'udp']).status).toBe(0);
    expectSamePackets(ng, theirs);
    const piped = path.join(dir, 'piped.pcap');
    const r = runFilter(['udp', MIXED, '-w', '-']);
    writeFileSync(piped, r.stdoutBytes);
    expectSamePackets(piped, theirs);
  });

  it('-w - writes what tcpdump -w - writes, over many write chunks', () => {
    // afs.pcap's records three times over: 1.5 MB of matches, many times what the writer gathers
    // before a write
    const afs = readFileSync(capturePath('afs.pcap'));
    const big = path.join(dir, 'afs3.pcap');
    writeFileSync(big, Buffer.concat([afs, afs.subarray(24), afs.subarray(24)]));
    const theirs = spawnSync('tcpdump', ['-r', big, '-w', '-', 'ip'], { maxBuffer: 1 << 26 });
    expect(theirs.status).toBe(0);
    expect(theirs.stdout.length).toBeGreaterThan(1_500_000);
    const ours = runFilter(['ip', big, '-w', '-']);
    expect(ours.status).toBe(0);
    expect(Buffer.compare(ours.stdoutBytes, theirs.stdout)).toBe(0);
  });

  it('reads stdin, several files in order, and -F expression files with comments', () => {
    const data = readFileSync(MIXED);
    expect(runFilter(['--count', 'udp', '-'], data).stdout).toBe(countLine(tcpdumpCount(MIXED, 'udp')));
    const both = tcpdumpCount(MIXED, 'udp') + tcpdumpCount(HTTP, 'udp');
    expect(runFilter(['--count', 'udp', MIXED, HTTP]).stdout).toBe(countLine(both));
    const exprFile = path.join(dir, 'expr.txt');
    writeFileSync(exprFile, '# DHCP\nudp port 67 # server\n or udp port 68\n');
    expect(runFilter(['--count', '-F', exprFile, MIXED]).stdout).toBe(countLine(tcpdumpCount(MIXED, 'udp port 67 or udp port 68')));
  });

  it('-c stops after N matches, as tcpdump -c', () => {
    const ours = path.join(dir, 'c.pcap');
    const theirs = path.join(dir, 'c-tcpdump.pcap');
    runFilter(['-c', '3', 'udp', MIXED, '-w', ours]);
    runTcpdump(['-c', '3', '-r', MIXED, '-w', theirs, 'udp']);
    expect(expectSamePackets(ours, theirs)).toBe(3);
    expect(runFilter(['-c', '2', 'tcp', HTTP]).stdout.trim().split('\n')).toHaveLength(2);
  });

  it('gives the same verdicts with every engine', () => {
    const outputs = ['jit', 'ebpf', 'cbpf'].map((engine) => runFilter(['--engine', engine, 'udp or arp', MIXED]).stdout);
    expect(outputs[0].length).toBeGreaterThan(0);
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
  });

  it('--json prints one object per packet and -x adds tcpdump -xx hex lines', () => {
    const json = runFilter(['--json', 'udp', MIXED]).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json).toHaveLength(tcpdumpCount(MIXED, 'udp'));
    expect(json[0].proto).toBe('udp');
    const ours = runFilter(['-x', 'tcp', HTTP]).stdout.split('\n').filter((l) => l.startsWith('\t'));
    const theirs = runTcpdump(['-xx', '-r', HTTP, 'tcp']).stdout.split('\n').filter((l) => l.startsWith('\t'));
    expect(ours).toEqual(theirs);
  });

  it('-d, -dd and -ddd print the program in tcpdump\'s formats, with libpcap\'s meaning', () => {
    const expr = 'ip and udp and dst port 53';
    const d = runFilter(['-d', expr]).stdout;
    const dd = runFilter(['-dd', expr]).stdout;
    const ddd = runFilter(['-ddd', expr]).stdout;
    const program = parseCbpf(ddd);
    expect(parseCbpf(d)).toEqual(program);
    expect(parseCbpf(dd)).toEqual(program);
    expect(d.trimEnd()).toBe(formatCbpf(program, { format: '-d' }).trimEnd());
    expect(compile(expr).cbpf).toEqual(program);
    // Semantics: libpcap's program for the same expression, run by libpcap, agrees on every packet.
    const libpcap = libpcapCompile([{ expr, linktype: 'EN10MB' }])[0];
    if (!libpcap.ok) throw new Error(libpcap.error);
    const packets = packetsOf(MIXED);
    const verdicts = (prog: typeof program): boolean[] => libpcapRunProgram(prog, packets).map((v) => v !== 0);
    expect(verdicts(program)).toEqual(verdicts(libpcap.program));
    // -y and the file's link type choose the link layer
    const raw = parseCbpf(runFilter(['-y', 'RAW', '-ddd', 'udp']).stdout);
    expect(raw).toEqual(compile('udp', { linktype: 'RAW' }).cbpf);
    const sll = parseCbpf(runFilter(['-ddd', 'udp', capturePath('crafted/multi-interface.pcapng')]).stdout);
    expect(sll).toEqual(compile('udp', { linktype: 'EN10MB', snaplen: 65535 }).cbpf);
  });

  it('--ebpf prints assembly that assembles to the translation, and -ddd its decimal slots', () => {
    const filter = compile('vlan and tcp');
    const asm = runFilter(['--ebpf', 'vlan and tcp']).stdout;
    expect(encodeEbpf(assembleEbpf(asm))).toEqual(encodeEbpf(filter.ebpf));
    const lines = runFilter(['--ebpf', '-ddd', 'vlan and tcp']).stdout.trim().split('\n');
    expect(Number(lines[0])).toBe(filter.ebpf.length);
    lines.slice(1).forEach((line, i) => {
      const [opcode, dst, src, off, imm] = line.split(' ').map(Number);
      expect({ opcode, dst, src, off, imm }).toEqual(filter.ebpf[i]);
    });
  });

  it('--ast prints the syntax tree as JSON', () => {
    const ast = JSON.parse(runFilter(['--ast', 'host a or b']).stdout) as { kind: string; right: { kind: string; inherited: boolean } };
    expect(ast.kind).toBe('or');
    expect(ast.right).toMatchObject({ kind: 'id', inherited: true });
  });

  it('filters a pcapng file with interfaces of different link types completely', async () => {
    const file = capturePath('crafted/multi-interface.pcapng');
    const r = runFilter(['--count', 'ip', file]);
    expect(r.status).toBe(0);
    // libpcap refuses the file: count with libpcap's program for each packet's link type instead.
    let expected = 0;
    const programs = new Map<number, Insn[]>();
    for await (const p of readCapture(file)) {
      if (!programs.has(p.linktype)) {
        const c = libpcapCompile([{ expr: 'ip', linktype: p.linktype, snaplen: 65535 }])[0];
        if (!c.ok) throw new Error(c.error);
        programs.set(p.linktype, c.program);
      }
      expected += libpcapRunProgram(programs.get(p.linktype)!, [{ data: p.data, wirelen: p.wirelen }])[0] !== 0 ? 1 : 0;
    }
    expect(programs.size).toBe(2);
    expect(expected).toBeGreaterThan(0);
    expect(r.stdout).toBe(countLine(expected));
    expect(runFilter(['--count', '', file]).stdout).toBe('270 packets\n');
  });

  it('a truncated or corrupt capture: every good packet first, then the file and byte offset, exit 1', () => {
    for (const name of ['truncated-record.pcap', 'truncated-record-header.pcap', 'corrupt-caplen.pcap']) {
      const file = capturePath(`crafted/${name}`);
      const ours = path.join(dir, `t-${name}`);
      const theirs = path.join(dir, `t-tcpdump-${name}`);
      const r = runFilter(['', file, '-w', ours]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(file);
      expect(r.stderr).toMatch(/offset \d+/);
      runTcpdump(['-r', file, '-w', theirs]);
      expect(expectSamePackets(ours, theirs)).toBeGreaterThan(0);
    }
    const garbage = path.join(dir, 'garbage.pcap');
    writeFileSync(garbage, 'this is not a capture file at all');
    const r = runFilter(['tcp', garbage]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^filter: .*garbage\.pcap.*\n$/);
  });

  it('a bad expression shows the column and a caret, exit 1', () => {
    const r = runFilter(['tcp port and udp', HTTP]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("filter: syntax error at column 10: expected a port number or name after 'port'\n  tcp port and udp\n           ^^^\n");
    const unknown = runFilter(['-d', 'ether host nonexistent.host.invalid']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/column \d+/);
  });

  it('usage errors exit 2; --help lists every option with an example', () => {
    expect(runFilter([]).status).toBe(2);
    expect(runFilter(['--no-such-option', 'tcp', HTTP]).status).toBe(2);
    expect(runFilter(['-c', 'many', 'tcp', HTTP]).status).toBe(2);
    expect(runFilter(['tcp']).status).toBe(2);
    expect(runFilter(['tcp', '/nonexistent/file.pcap']).status).toBe(1);
    const help = runFilter(['--help']);
    expect(help.status).toBe(0);
    for (const option of ['-w', '--pcapng', '-c', '--count', '-F', '-s', '-y', '-O', '-d', '-dd', '-ddd', '--ebpf', '--ast', '--stats', '-x', '--json', '--engine', '-i', '-D', '-p']) {
      expect(help.stdout).toContain(`  ${option} `);
    }
    expect(help.stdout).toContain('Examples:');
  });

  it('--stats reports on stderr; no progress bar when stderr is not a terminal', () => {
    const r = runFilter(['--stats', '--count', 'udp', MIXED]);
    expect(r.stderr).toMatch(new RegExp(`^${packetsOf(MIXED).length} packets read, ${tcpdumpCount(MIXED, 'udp')} matched, \\d+ bytes, [\\d.]+ s\\n$`));
    expect(runFilter(['--count', 'udp', MIXED]).stderr).toBe('');
  });

  it('draws a progress bar on a terminal once a read takes longer than half a second, and erases it', () => {
    // stderr on a pseudo-terminal (script(1)); the capture arrives on stdin in two parts, two seconds apart
    const half = Math.floor(readFileSync(MIXED).length / 2);
    const filter = [process.execPath, '--import', 'tsx', path.join(PROJECT_ROOT, 'test/support/run-cli.ts'), '--count', 'udp', '-'];
    const feed = `(head -c ${half} '${MIXED}'; sleep 2; tail -c +${half + 1} '${MIXED}')`;
    const r = spawnSync('script', ['-qec', `${feed} | ${filter.map((a) => `'${a}'`).join(' ')}`, '/dev/null'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const bar = String.raw`\rstdin [\d.]+ MB, \d+ packets, \d+ matched\x1b\[K`;
    expect(r.stdout).toMatch(new RegExp(String.raw`${bar}\r\x1b\[K${countLine(tcpdumpCount(MIXED, 'udp')).trimEnd()}`));
    // a quick read draws nothing
    const quick = spawnSync('script', ['-qec', `${filter.map((a) => `'${a}'`).join(' ')} < '${MIXED}'`, '/dev/null'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(quick.stdout).not.toContain('\x1b[K');
    expect(quick.stdout).toContain(countLine(tcpdumpCount(MIXED, 'udp')).trimEnd());
  });
});
