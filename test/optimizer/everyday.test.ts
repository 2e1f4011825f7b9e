// Everyday expressions (protocol lists, port and host lists, `ip6 and (...)`): our optimized
// programs are no longer than the reference's (`tcpdump -y EN10MB -d`, run here) and give its
// verdicts. Where libpcap is shorter only because its optimizer tests a later field before a load
// that can run off a short packet (it changes its own unoptimized program's verdict there), the
// test exhibits such a packet instead, and checks the verdicts on packets long enough for every load.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCbpf } from '../../src/cbpf/parse.js';
import type { Insn } from '../../src/cbpf/insn.js';
import { compileFilter } from '../../src/codegen/index.js';
import { corpusByDlt, craftedPackets, type Packet } from '../codegen/packets.js';
import { linktypeValues } from '../support/corpus.js';
import { tcpdump } from '../support/tcpdump.js';
import { firstDifference, hex, sample, truncations } from './support.js';

const LINKTYPE = 'EN10MB';

const AS_SHORT = [
  'tcp or udp',
  'udp or tcp',
  'tcp or tcp',
  'tcp or tcp or tcp or tcp or tcp',
  'tcp or udp or icmp',
  'tcp or udp or sctp',
  'icmp or icmp6',
  'ip6 and (tcp or udp)',
  'ip6 and (tcp or udp or icmp6)',
  'ip and (tcp or udp)',
  'not (tcp or udp)',
  'vlan and (tcp or udp)',
  'arp or icmp or (tcp port 22)',
  'not (port 22 or port 53)',
  'tcp dst port 22 or tcp dst port 80',
  'tcp port 80 or udp port 53',
  'host 10.0.0.1 and port 80',
  'host 10.0.0.1 and host 10.0.0.2',
  'host 10.0.0.1 and not host 10.0.0.2',
  'ip host 10.0.0.1 and ip host 10.0.0.2',
  'src host 10.0.0.1 and dst port 443',
  'tcp and port 80',
  'not port 22',
];

/** libpcap tests the second constant before the load of the other field that may fail. */
const LIBPCAP_CHANGES_VERDICTS = [
  'tcp port 80 or tcp port 443',
  'port 53 or port 123 or port 67',
  'host 10.0.0.1 and (tcp port 22 or tcp port 80)',
  'tcp port 80 or tcp port 8080 or tcp port 443 or tcp port 8443',
  'host 10.0.0.1 or host 10.0.0.2',
  'port 80 or port 443',
  'ip6 and (port 80 or port 443)',
  'ip6 and (tcp port 80 or tcp port 443)',
  'udp and (port 53 or port 67)',
  'host 10.0.0.1 and (port 80 or port 443)',
];

/** Longer than any load of these filters reaches. */
const LONG_ENOUGH = 128;

interface Case {
  expr: string;
  ours: Insn[];
  unopt: Insn[];
  reference: Insn[];
  packets: Packet[];
}

function reference(expr: string): Insn[] {
  const r = tcpdump(['-y', LINKTYPE, '-ddd', expr]);
  if (r.status !== 0) throw new Error(`tcpdump failed on ${expr}: ${r.stderr}`);
  return parseCbpf(r.stdout);
}

describe('optimizer on everyday expressions, against tcpdump', () => {
  const cases = new Map<string, Case>();

  beforeAll(async () => {
    const corpus = sample((await corpusByDlt()).get(linktypeValues([LINKTYPE]).get(LINKTYPE)!) ?? [], 300);
    [...AS_SHORT, ...LIBPCAP_CHANGES_VERDICTS].forEach((expr, n) => {
      const ours = compileFilter(expr, { linktype: LINKTYPE }).program;
      const unopt = compileFilter(expr, { linktype: LINKTYPE, optimize: false }).program;
      const ref = reference(expr);
      const packets = [...corpus, ...craftedPackets(corpus, [ours, unopt, ref], 600, 7000 + n)];
      cases.set(expr, { expr, ours, unopt, reference: ref, packets });
    });
  });

  it.each(AS_SHORT)('%s: as short as tcpdump, same verdicts', (expr) => {
    const c = cases.get(expr)!;
    expect(c.ours.length).toBeLessThanOrEqual(c.reference.length);
    const packets = [...c.packets, ...truncations(sample(c.packets, 40))];
    const d = firstDifference(c.reference, c.ours, packets);
    expect(d && `packet ${hex(d[0])}: tcpdump ${d[1]}, ours ${d[2]}`).toBeUndefined();
  });

  it.each(LIBPCAP_CHANGES_VERDICTS)('%s: tcpdump changes a short packet\'s verdict; same verdicts on whole packets', (expr) => {
    const c = cases.get(expr)!;
    const whole = c.packets.filter((p) => p.data.length >= LONG_ENOUGH);
    expect(whole.length).toBeGreaterThan(100);
    const d = firstDifference(c.reference, c.ours, whole);
    expect(d && `packet ${hex(d[0])}: tcpdump ${d[1]}, ours ${d[2]}`).toBeUndefined();
    const short = truncations(c.packets.filter((p) => p.data.length < 200));
    expect(firstDifference(c.unopt, c.ours, short)).toBeUndefined();
    expect(firstDifference(c.unopt, c.reference, short), 'a packet where tcpdump differs from the unoptimized program').toBeDefined();
  });
});
