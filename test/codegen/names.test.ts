// Name resolution: the system databases are read as libpcap reads them, and the built-in tables make
// service and protocol names work where /etc/services or /etc/protocols lack them.
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/codegen/index.js';
import { SystemResolver, TableResolver, builtinProtocol, builtinService, type NameResolver } from '../../src/codegen/names.js';
import { parseIPv6 } from '../../src/grammar/literals.js';
import { runCbpf } from '../../src/cbpf/interpreter.js';

/** A resolver with no system databases at all: only the built-in tables answer. */
const bare: NameResolver = {
  host: () => [],
  network: () => undefined,
  ether: () => undefined,
  service: builtinService,
  protocol: builtinProtocol,
};

/** An Ethernet/IPv4/TCP packet with the given ports. */
function tcpPacket(sport: number, dport: number): Uint8Array {
  const p = new Uint8Array(54);
  p.set([0x08, 0x00], 12);
  p[14] = 0x45;
  p[23] = 6;
  p[34] = sport >> 8; p[35] = sport & 255; p[36] = dport >> 8; p[37] = dport & 255;
  return p;
}

describe('name resolution', () => {
  it('knows well-known services and protocols without the system files', () => {
    expect(bare.service('http')).toEqual({ tcp: 80 });
    expect(bare.service('domain')).toEqual({ tcp: 53, udp: 53 });
    expect(bare.protocol('ospf')).toBe(89);
    const { program } = compileFilter('tcp port http', { linktype: 'EN10MB', resolver: bare });
    expect(runCbpf(program, tcpPacket(1234, 80))).toBe(262144);
    expect(runCbpf(program, tcpPacket(1234, 81))).toBe(0);
  });

  it('reads the system services and protocols databases', () => {
    const sys = new SystemResolver();
    expect(sys.service('smtp').tcp).toBe(25);
    expect(sys.protocol('udp')).toBe(17);
    expect(sys.service('no-such-service-name')).toEqual({});
  });

  it('refuses unknown names with libpcap\'s reasons', () => {
    const r = new TableResolver({}, bare);
    expect(() => compileFilter('host nosuchhost.invalid.', { linktype: 'EN10MB', resolver: r })).toThrow(/unknown host 'nosuchhost.invalid.'/);
    expect(() => compileFilter('ether host nosuch', { linktype: 'EN10MB', resolver: r })).toThrow(/unknown Ethernet-like host/);
    expect(() => compileFilter('net nosuchnet', { linktype: 'EN10MB', resolver: r })).toThrow(/unknown network/);
    expect(() => compileFilter('port nosuchport', { linktype: 'EN10MB', resolver: r })).toThrow(/unknown port/);
    expect(() => compileFilter('udp port smtp', { linktype: 'EN10MB', resolver: r })).toThrow(/port 'smtp' is tcp/);
  });

  it('parses IPv6 addresses (host tables, getent output) in every inet_pton form', () => {
    expect(parseIPv6('::')).toEqual(new Array(16).fill(0));
    expect(parseIPv6('::1')).toEqual([...new Array(15).fill(0), 1]);
    expect(parseIPv6('fe80::1:2')).toEqual([0xfe, 0x80, ...new Array(10).fill(0), 0, 1, 0, 2]);
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([...new Array(10).fill(0), 0xff, 0xff, 1, 2, 3, 4]);
    expect(parseIPv6('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(parseIPv6('1::2::3')).toBeNull();
  });
});
