// A fast-check arbitrary of filter expressions: primitives across the language joined with
// and/or/not and parentheses, as libpcap's grammar takes them.
import fc from 'fast-check';

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(fc.constantFrom(10, 192, 172, 224), octet, octet, octet).map((a) => a.join('.'));
const ipv6 = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })).map(([a, b]) => `fe80::${a.toString(16)}:${b.toString(16)}`);
const mac = fc.array(octet, { minLength: 6, maxLength: 6 }).map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':'));
const port = fc.oneof(fc.constantFrom(22, 53, 80, 443, 8080), fc.integer({ min: 1, max: 65535 }));
const small = fc.integer({ min: 0, max: 64 });
const dir = fc.constantFrom('', 'src ', 'dst ', 'src or dst ', 'src and dst ');
const transport = fc.constantFrom('', 'tcp ', 'udp ', 'sctp ');

const primitive: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'icmp', 'icmp6', 'sctp', 'igmp', 'vlan', 'mpls', 'pppoes',
    'ether broadcast', 'ether multicast', 'ip multicast', 'ip6 multicast', 'tcp[tcpflags] & (tcp-syn|tcp-ack) != 0',
    'icmp[icmptype] = icmp-echo', 'ip[6:2] & 0x1fff = 0', 'ip protochain 6', 'stp', 'ipx', 'decnet', 'atalk',
  ),
  fc.tuple(dir, ipv4).map(([d, a]) => `${d}host ${a}`),
  fc.tuple(dir, ipv6).map(([d, a]) => `${d}host ${a}`),
  fc.tuple(dir, ipv4, fc.constantFrom(8, 16, 24, 30)).map(([d, a, n]) => `${d}net ${a}/${n}`),
  fc.tuple(transport, dir, port).map(([t, d, p]) => `${t}${d}port ${p}`),
  fc.tuple(transport, port, port).map(([t, a, b]) => `${t}portrange ${Math.min(a, b)}-${Math.max(a, b)}`),
  fc.tuple(dir, mac).map(([d, m]) => `ether ${d}host ${m}`),
  small.map((n) => `less ${n * 8}`),
  small.map((n) => `greater ${n * 8}`),
  fc.tuple(small, octet).map(([o, k]) => `ether[${o}] = ${k}`),
  fc.tuple(small, fc.integer({ min: 0, max: 0xffff })).map(([o, k]) => `ip[${o % 20}:2] > ${k}`),
  fc.tuple(small, octet).map(([o, k]) => `tcp[${o % 20}] & ${k} != 0`),
  octet.map((p) => `ip proto ${p}`),
  octet.map((p) => `ip6 proto ${p}`),
  fc.integer({ min: 0, max: 4095 }).map((v) => `vlan ${v}`),
  fc.integer({ min: 0, max: 0xffff }).map((t) => `ether proto ${t}`),
  fc.integer({ min: 0, max: 1500 }).map((n) => `len >= ${n}`),
);

/** Expressions of a few primitives joined by and/or/not. */
export const expressionArb: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `(${a}) and (${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `${a} or ${b}`),
    tie('e').map((a) => `not (${a})`),
  ),
})).e;
