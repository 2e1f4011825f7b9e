// Bad input is normal input: any expression, on any link type, either compiles to a program libpcap's
// validator accepts, with every jump within 8 bits, or is refused with a FilterError (never a crash).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateCbpf } from '../../src/cbpf/validate.js';
import { compileFilter, DLT } from '../../src/codegen/index.js';
import { FilterError } from '../../src/grammar/errors.js';
import { testResolver } from './test-names.js';

const WORDS = [
  'host', 'net', 'port', 'portrange', 'proto', 'protochain', 'gateway', 'src', 'dst', 'and', 'or', 'not', '(', ')',
  'ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'icmp', 'icmp6', 'ether', 'link', 'wlan', 'vlan', 'mpls', 'pppoes',
  'geneve', 'vxlan', 'llc', 'iso', 'isis', 'l1', 'lsp', 'decnet', 'atalk', 'ipx', 'stp', 'broadcast', 'multicast',
  'less', 'greater', 'len', 'inbound', 'outbound', 'ifindex', 'type', 'subtype', 'dir', 'addr1', 'ra', 'ta',
  'mgt', 'data', 'beacon', 'tods', 'vpi', 'vci', 'lane', 'oam', 'fisu', 'msu', 'sio', 'dpc', 'on', 'rnr', 'reason',
  'action', 'pass', 'eth0', 'radio', '1', '0', '80', '65536', '1500', '10.0.0.1', '10.0.0.0/8', '10.1', 'fe80::1',
  'fe80::/10', 'aa:bb:cc:dd:ee:ff', '$12', '1.2', 'http', 'domain', '25-80', '\\tcp', 'mask', '255.0.0.0',
  '[', ']', ':', '+', '-', '*', '/', '%', '&', '|', '^', '<<', '>>', '=', '!=', '<', '<=', '>', '>=', '2', '4',
  'tcp[13]', 'ip[0]', 'tcp-syn', 'icmp-echo', 'noeth-ipv4-ipv6.host123.libpcap.test',
];

const LINKTYPES = Object.keys(DLT);

describe('code generation robustness', () => {
  it('compiles or refuses any token soup on any link type', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 12 }),
        fc.constantFrom(...LINKTYPES),
        fc.boolean(),
        (words, linktype, optimize) => {
          const expr = words.join(' ');
          let program;
          try {
            program = compileFilter(expr, { linktype, optimize, resolver: testResolver }).program;
          } catch (e) {
            expect(e, `${linktype} ${JSON.stringify(expr)}: ${String(e)}`).toBeInstanceOf(FilterError);
            return;
          }
          const bad = validateCbpf(program, { libpcapOnly: true });
          expect(bad, `${linktype} ${JSON.stringify(expr)}`).toEqual([]);
          expect(program.every((i) => i.jt <= 255 && i.jf <= 255)).toBe(true);
        },
      ),
      { numRuns: 3000, seed: 20261125 },
    );
  });
});
