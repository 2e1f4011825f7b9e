// AST shapes for the tricky parts of the language. The expected trees are written from libpcap's
// documented semantics (pcap-filter(7), its grammar's precedence declarations, and what tcpdump 1.10
// compiles), not copied from our output. Spans are compared separately (see spans below).
import { describe, expect, it } from 'vitest';
import type { Arith, Expr, Id, Qualifiers } from '../../src/grammar/ast.js';
import { parse } from '../../src/grammar/index.js';
import { refusalOf as syntaxError } from '../support/syntax-error.js';

/** The AST without source positions. */
function shape(e: Expr): unknown {
  return JSON.parse(JSON.stringify(e, (k, v) => (k === 'span' || k.endsWith('Span') ? undefined : v)));
}
const parsed = (s: string): unknown => shape(parse(s));

const name = (n: string): Id => ({ kind: 'name', name: n, escaped: false, text: n });
const num = (value: number, text = String(value)): Id => ({ kind: 'num', value, text });
const prim = (q: Qualifiers, id: Id, inherited = false) => ({ kind: 'id', q, id, inherited });
const and = (left: unknown, right: unknown) => ({ kind: 'and', left, right });
const or = (left: unknown, right: unknown) => ({ kind: 'or', left, right });
const not = (operand: unknown) => ({ kind: 'not', operand });
const HOST: Qualifiers = { type: 'host' };
const host = (n: string, inherited = false) => prim(HOST, name(n), inherited);
const abbrev = (p: string) => ({ kind: 'abbrev', proto: p, protoText: p });

const n = (value: number) => ({ kind: 'num', value });
const LEN = { kind: 'len' };
const bin = (op: string, left: unknown, right: unknown) => ({ kind: 'binary', op, left, right });
const neg = (operand: unknown) => ({ kind: 'neg', operand });
const rel = (op: string, left: unknown, right: unknown) => ({ kind: 'relation', op, left, right });
/** The left side of `EXPR = 0`. */
const arith = (s: string): Arith => (parse(`${s} = 0`) as Extract<Expr, { kind: 'relation' }>).left;
const arithShape = (s: string): unknown => JSON.parse(JSON.stringify(arith(s), (k, v) => (k === 'span' ? undefined : v)));


describe('qualifier inheritance', () => {
  it('gives a bare id after and/or the qualifiers of the previous primitive', () => {
    expect(parsed('host a or b')).toEqual(or(host('a'), host('b', true)));
    const q: Qualifiers = { proto: 'tcp', protoText: 'tcp', dir: 'dst', type: 'port' };
    expect(parsed('tcp dst port 21 or 22')).toEqual(or(prim(q, num(21)), prim(q, num(22), true)));
  });

  it('chains: each id inherits from the primitive just before it', () => {
    const net: Qualifiers = { type: 'net' };
    expect(parsed('host a or b or net c or d')).toEqual(
      or(or(or(host('a'), host('b', true)), prim(net, name('c'))), prim(net, name('d'), true)));
  });

  it('does not inherit the not', () => {
    expect(parsed('not host a and b')).toEqual(and(not(host('a')), host('b', true)));
  });

  it('lets a bare id be negated', () => {
    expect(parsed('host a and not b')).toEqual(and(host('a'), not(host('b', true))));
    expect(parsed('host not a')).toEqual(not(host('a')));
  });

  it('reads parenthesised id lists after and/or and after a qualifier head', () => {
    expect(parsed('host a and (b or c)')).toEqual(and(host('a'), or(host('b', true), host('c', true))));
    const port: Qualifiers = { type: 'port' };
    expect(parsed('port (80 or 443)')).toEqual(or(prim(port, num(80)), prim(port, num(443))));
    expect(parsed('port 80 or (81 and not 82)')).toEqual(
      or(prim(port, num(80)), and(prim(port, num(81), true), not(prim(port, num(82), true)))));
  });

  it('passes on, after a parenthesised expression, the qualifiers from before it', () => {
    // libpcap: rterm '(' expr ')' takes the qualifiers of what precedes the parenthesis
    const tcpPort: Qualifiers = { proto: 'tcp', protoText: 'tcp', type: 'port' };
    expect(parsed('host x and (tcp port 80) and 81')).toEqual(
      and(and(host('x'), prim(tcpPort, num(80))), prim(HOST, num(81), true)));
  });

  it('refuses a bare id with nothing to inherit, as libpcap does ("syntax error in filter expression")', () => {
    expect(syntaxError('tcp and 80').column).toBe(9);
    expect(syntaxError('(host 1.1.1.1) or 2.2.2.2').column).toBe(19);
    expect(syntaxError('len > 1 or 10.0.0.1').column).toBe(12);
    expect(syntaxError('vlan 10 and 20').column).toBe(13);
  });

  it('refuses what libpcap\'s grammar refuses around id lists', () => {
    // an id list may not contain a full primitive, nor an expression start with a bare id
    expect(syntaxError('host 1.1.1.1 or (2.2.2.2 or host 3.3.3.3)').column).toBe(29);
    expect(syntaxError('10.0.0.1').column).toBe(1);
    expect(syntaxError('not 1').column).toBe(6); // `not 1` could start `not 1 > len`: the end is what fails
  });
});

describe('boolean precedence', () => {
  it('gives and and or equal precedence, grouping left to right', () => {
    expect(parsed('host a or host b and host c')).toEqual(and(or(host('a'), host('b')), host('c')));
    expect(parsed('host a and host b or host c')).toEqual(or(and(host('a'), host('b')), host('c')));
  });

  it('binds not tightest', () => {
    expect(parsed('not tcp and udp')).toEqual(and(not(abbrev('tcp')), abbrev('udp')));
    expect(parsed('! tcp || ! udp')).toEqual(or(not(abbrev('tcp')), not(abbrev('udp'))));
    expect(parsed('not not tcp')).toEqual(not(not(abbrev('tcp'))));
  });

  it('honours parentheses', () => {
    expect(parsed('host a or (host b and host c)')).toEqual(or(host('a'), and(host('b'), host('c'))));
  });
});

describe('arithmetic precedence', () => {
  it('orders | < & < shifts < + - < * / < unary minus, left-associative', () => {
    expect(arithShape('1 | 2 & 3')).toEqual(bin('|', n(1), bin('&', n(2), n(3))));
    expect(arithShape('1 << 2 + 3')).toEqual(bin('<<', n(1), bin('+', n(2), n(3))));
    expect(arithShape('1 + 2 * 3')).toEqual(bin('+', n(1), bin('*', n(2), n(3))));
    expect(arithShape('8 - 2 - 1')).toEqual(bin('-', bin('-', n(8), n(2)), n(1)));
    expect(arithShape('8 / 2 * 3')).toEqual(bin('*', bin('/', n(8), n(2)), n(3)));
    expect(arithShape('- len * 2')).toEqual(bin('*', neg(LEN), n(2)));
    expect(arithShape('(1 + 2) * 3')).toEqual(bin('*', bin('+', n(1), n(2)), n(3)));
  });

  it('gives % and ^ no precedence: the left operand is the operand just before, the right one runs to the end', () => {
    // yacc resolves these conflicts by shifting; tcpdump compiles `len % 3 + 1` to `mod #4`
    expect(arithShape('len % 3 + 1')).toEqual(bin('%', LEN, bin('+', n(3), n(1))));
    expect(arithShape('len + 1 % 3')).toEqual(bin('+', LEN, bin('%', n(1), n(3))));
    expect(arithShape('len * 2 % 3 + 1')).toEqual(bin('*', LEN, bin('%', n(2), bin('+', n(3), n(1)))));
    expect(arithShape('- len % 3')).toEqual(neg(bin('%', LEN, n(3))));
    expect(arithShape('len ^ 1 & 3')).toEqual(bin('^', LEN, bin('&', n(1), n(3))));
    expect(arithShape('len & 3 ^ 1')).toEqual(bin('&', LEN, bin('^', n(3), n(1))));
    expect(arithShape('len % 2 % 3')).toEqual(bin('%', LEN, bin('%', n(2), n(3))));
  });

  it('reads relations, packet accessors and named constants', () => {
    const load = (proto: string, index: unknown, size: number) => ({ kind: 'load', proto, protoText: proto, index, size });
    expect(parsed('tcp[tcpflags] & tcp-syn != 0')).toEqual(rel('!=', bin('&', load('tcp', n(13), 1), n(2)), n(0)));
    expect(parsed('ip[2:2] > 576')).toEqual(rel('>', load('ip', n(2), 2), n(576)));
    expect(parsed('len == 1')).toEqual(rel('=', LEN, n(1)));
    expect(parsed('length <= icmp6-echo')).toEqual(rel('<=', LEN, n(128)));
    expect(parsed('ether[0] & 1 = 1')).toEqual(
      rel('=', bin('&', { kind: 'load', proto: 'link', protoText: 'ether', index: n(0), size: 1 }, n(1)), n(1)));
  });

  it('refuses a data size other than 1, 2 or 4', () => {
    expect(syntaxError('link[0:3] != 0').message).toContain('data size must be 1, 2, or 4');
  });
});

describe('qualifiers and keyword aliases', () => {
  it('reads direction qualifiers, including the two-word ones in either order', () => {
    const q = (dir: string): Qualifiers => ({ dir: dir as Qualifiers['dir'] });
    expect(parsed('src or dst a')).toEqual(prim(q('src or dst'), name('a')));
    expect(parsed('dst or src a')).toEqual(prim(q('src or dst'), name('a')));
    expect(parsed('dst and src a')).toEqual(prim(q('src and dst'), name('a')));
    expect(parsed('address1 a')).toEqual(prim(q('addr1'), name('a')));
    expect(parsed('ta a')).toEqual(prim(q('ta'), name('a')));
  });

  it('maps every link alias to link and keeps the word written', () => {
    for (const word of ['link', 'ether', 'fddi', 'tr', 'wlan', 'ppp', 'slip']) {
      expect(parsed(`${word} src host a`)).toEqual(
        prim({ proto: 'link', protoText: word, dir: 'src', type: 'host' }, name('a')));
    }
    expect(parsed('es-is')).toEqual({ kind: 'abbrev', proto: 'esis', protoText: 'es-is' });
  });

  it('reads the other keyword aliases as the same primitive', () => {
    expect(parsed('host a && host b')).toEqual(parsed('host a and host b'));
    expect(parsed('host a || host b')).toEqual(parsed('host a or host b'));
    expect(parsed('direction tods')).toEqual(parsed('dir tods'));
    expect(parsed('on eth0')).toEqual({ kind: 'pf', field: 'ifname', value: 'eth0' });
    expect(parsed('rulenum 3')).toEqual({ kind: 'pf', field: 'rnr', value: 3 });
    expect(parsed('subrulenum 3')).toEqual({ kind: 'pf', field: 'srnr', value: 3 });
    expect(parsed('ruleset x')).toEqual({ kind: 'pf', field: 'rset', value: 'x' });
    expect(parsed('lsu')).toEqual({ kind: 'mtp2', name: 'lssu' });
  });

  it('reads gateway, proto and protochain heads', () => {
    expect(parsed('ip proto \\tcp')).toEqual(
      prim({ proto: 'ip', protoText: 'ip', type: 'proto' }, { kind: 'name', name: 'tcp', escaped: true, text: '\\tcp' }));
    expect(parsed('protochain 6')).toEqual(prim({ type: 'protochain' }, num(6)));
    expect(parsed('gateway g')).toEqual(prim({ type: 'gateway' }, name('g')));
  });

  it('refuses the qualifier orders libpcap\'s grammar does not have', () => {
    expect(syntaxError('src gateway g').column).toBe(5);
    expect(syntaxError('dst proto 1').column).toBe(5);
    expect(syntaxError('host tcp a').column).toBe(6);
  });
});

describe('ids', () => {
  const hostId = (s: string): Id => (parse(`host ${s}`) as Extract<Expr, { kind: 'id' }>).id;

  it('reads numbers in decimal, hex and octal, unsigned 32-bit', () => {
    expect(hostId('10')).toEqual(num(10));
    expect(hostId('0x1F')).toEqual(num(31, '0x1F'));
    expect(hostId('010')).toEqual(num(8, '010'));
    expect(hostId('4294967295')).toEqual(num(4294967295));
    expect(syntaxError('host 4294967296').message).toContain('decimal number 4294967296 overflows 32 bits');
    expect(syntaxError('host 0x100000000').message).toContain('hexadecimal number 0x100000000 overflows 32 bits');
    expect(syntaxError('host 09').message).toContain('number 09 contains non-octal digit');
  });

  it('reads IPv4 addresses of 2 to 4 parts, with /len and mask', () => {
    expect(hostId('10.1')).toEqual({ kind: 'ipv4', value: 0x0a010000, parts: 2, octets: [10, 1], text: '10.1' });
    expect(hostId('10.1.2.3')).toEqual(
      { kind: 'ipv4', value: 0x0a010203, parts: 4, octets: [10, 1, 2, 3], text: '10.1.2.3' });
    expect((parse('net 192.168/16') as Extract<Expr, { kind: 'id' }>).id).toEqual(
      { kind: 'ipv4cidr', value: 0xc0a80000, parts: 2, octets: [192, 168], prefix: 16, text: '192.168/16' });
    expect((parse('net 10.0.0.0 mask 255.0.0.0') as Extract<Expr, { kind: 'id' }>).id).toEqual({
      kind: 'ipv4mask', value: 0x0a000000, mask: 0xff000000, octets: [10, 0, 0, 0], maskOctets: [255, 0, 0, 0],
      text: '10.0.0.0 mask 255.0.0.0',
    });
    // a part over 255 is a DECnet address after `decnet`: left to code generation
    expect(hostId('50.764')).toMatchObject({ kind: 'ipv4', octets: [50, 764] });
    expect(syntaxError('net 10/8').column).toBe(7);
    expect(syntaxError('net 10 mask 255.0.0.0').column).toBe(8);
  });

  it('reads IPv6 addresses, with an embedded dotted quad and /len', () => {
    const v6 = hostId('::ffff:1.2.3.4');
    expect(v6).toEqual({ kind: 'ipv6', bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4], text: '::ffff:1.2.3.4' });
    expect(hostId('1:2:3:4:5:6:7:8')).toMatchObject({ bytes: [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8] });
    expect((parse('net fe80::/10') as Extract<Expr, { kind: 'id' }>).id).toEqual(
      { kind: 'ipv6', bytes: [0xfe, 0x80, ...new Array(14).fill(0)], prefix: 10, text: 'fe80::/10' });
    expect(syntaxError('host fe80::10.20.30.256').message).toContain('invalid IPv6 address fe80::10.20.30.256');
    expect(syntaxError('host fe80:0:0:0:0:0:0:0:0').column).toBe(24); // 8 groups, then ':'
  });

  it('reads MAC addresses in every notation, and any 12 hex digits as one', () => {
    const mac = [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff];
    for (const text of ['aa:bb:cc:dd:ee:ff', 'aa-bb-cc-dd-ee-ff', 'aa.bb.cc.dd.ee.ff', 'aabb.ccdd.eeff', 'aabbccddeeff']) {
      expect(hostId(text)).toEqual({ kind: 'mac', bytes: mac, text });
    }
    expect(hostId('1:2:3:4:5:6')).toEqual({ kind: 'mac', bytes: [1, 2, 3, 4, 5, 6], text: '1:2:3:4:5:6' });
    // octal-looking, but 12 hex digits: a MAC address (flex's MAC rule precedes the number rule)
    expect(hostId('012345670123')).toEqual({ kind: 'mac', bytes: [0x01, 0x23, 0x45, 0x67, 0x01, 0x23], text: '012345670123' });
    expect(syntaxError('ether host ab:cd:ef:0g:00:00').message).toContain('invalid Ethernet address');
  });

  it('reads $xx addresses', () => {
    expect(hostId('$0e')).toEqual({ kind: 'mac8', value: 14, text: '$0e' });
    expect(syntaxError('link host $123').column).toBe(14);
    expect(syntaxError('link host $x').column).toBe(11);
  });

  it('reads names with - _ . and the longest-match quirks', () => {
    expect(hostId('host.invalid.')).toEqual(name('host.invalid.'));
    expect(hostId('my_host-1.example')).toEqual(name('my_host-1.example'));
    expect((parse('portrange 1023-1') as Extract<Expr, { kind: 'id' }>).id).toEqual(name('1023-1'));
    expect(hostId('10.1.2.3.')).toEqual(name('10.1.2.3.'));
    expect(hostId('\\host')).toEqual({ kind: 'name', name: 'host', escaped: true, text: '\\host' });
    expect(syntaxError('tcp portrange 23-').column).toBe(17); // `23-` is 23 then '-'
    expect(syntaxError('lldp').column).toBe(1);
  });
});

describe('keyword primitives', () => {
  it('reads each with its argument', () => {
    expect(parsed('')).toEqual({ kind: 'empty' });
    expect(parsed('  ')).toEqual({ kind: 'empty' });
    expect(parsed('less 100')).toEqual({ kind: 'less', value: 100 });
    expect(parsed('greater 64')).toEqual({ kind: 'greater', value: 64 });
    expect(parsed('byte 2 & 8')).toEqual({ kind: 'byte', index: 2, op: '&', value: 8 });
    expect(parsed('byte 2 == 8')).toEqual({ kind: 'byte', index: 2, op: '=', value: 8 });
    expect(parsed('vlan 100 and vlan')).toEqual(and({ kind: 'vlan', value: 100 }, { kind: 'vlan' }));
    expect(parsed('mpls (42)')).toEqual({ kind: 'mpls', value: 42 });
    expect(parsed('pppoed')).toEqual({ kind: 'pppoed' });
    expect(parsed('ifindex 3')).toEqual({ kind: 'ifindex', value: 3 });
    expect(parsed('ip broadcast')).toEqual({ kind: 'broadcast', proto: 'ip', protoText: 'ip' });
    expect(parsed('multicast')).toEqual({ kind: 'multicast' });
    expect(parsed('inbound')).toEqual({ kind: 'inbound' });
    expect(parsed('llc XID')).toEqual({ kind: 'llc', type: 'xid' });
    expect(parsed('llc rnr')).toEqual({ kind: 'llc', type: 'rnr' });
    expect(parsed('reason 3')).toEqual({ kind: 'pf', field: 'reason', value: 3 });
    expect(parsed('action pass')).toEqual({ kind: 'pf', field: 'action', value: 'pass' });
    expect(parsed('oamf4sc')).toEqual({ kind: 'atm', name: 'oamf4sc' });
  });

  it('reads 802.11 type/subtype/dir, ignoring a protocol qualifier before them', () => {
    expect(parsed('type mgt subtype beacon')).toEqual({ kind: 'wlanType', type: 'mgt', subtype: 'beacon' });
    expect(parsed('tcp type 8')).toEqual({ kind: 'wlanType', type: 8 });
    expect(parsed('wlan subtype probe-req')).toEqual({ kind: 'wlanSubtype', subtype: 'probe-req' });
    expect(parsed('dir 3')).toEqual({ kind: 'wlanDir', dir: 3 });
    expect(syntaxError('wlan subtype 0').column).toBe(14);
  });

  it('reads ATM and MTP3 field tests, a list being an or of equalities', () => {
    const f = (op: string, value: number) => ({ kind: 'atmField', field: 'vpi', op, value });
    expect(parsed('vpi 1')).toEqual(f('=', 1));
    expect(parsed('vpi >= 1')).toEqual(f('>=', 1));
    expect(parsed('vpi (1 or 2 or 3)')).toEqual(or(or(f('=', 1), f('=', 2)), f('=', 3)));
    expect(parsed('hsls != 3')).toEqual({ kind: 'mtp3Field', field: 'hsls', op: '!=', value: 3 });
  });

  it('refuses arguments libpcap\'s grammar does not take', () => {
    expect(syntaxError('pppoed 1234').column).toBe(8);
    expect(syntaxError('vlan any').column).toBe(6);
    expect(syntaxError('byte 1 != 2').column).toBe(8);
    expect(syntaxError('less len').column).toBe(6);
  });
});

describe('spans', () => {
  it('cover the primitive, and the id alone in idSpan', () => {
    const e = parse('tcp port 80 or 81') as Extract<Expr, { kind: 'or' }>;
    expect(e.span).toEqual({ start: 0, end: 17 });
    expect(e.left).toMatchObject({ span: { start: 0, end: 11 }, idSpan: { start: 9, end: 11 } });
    expect(e.left).toMatchObject({ q: { protoSpan: { start: 0, end: 3 }, typeSpan: { start: 4, end: 8 } } });
    expect(e.right).toMatchObject({ span: { start: 15, end: 17 }, idSpan: { start: 15, end: 17 } });
  });

  it('include parentheses', () => {
    expect(parse(' ( tcp ) ').span).toEqual({ start: 1, end: 8 });
    expect(parse('(1 + 2) = 3')).toMatchObject({ left: { span: { start: 0, end: 7 } } });
  });
});
