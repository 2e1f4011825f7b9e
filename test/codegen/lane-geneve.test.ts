// ATM LANE (SunATM) with Geneve inside: libpcap skips the "not an LE control frame" check on the outer
// LANE header for link-type tests inside Geneve, which carries an EtherType with or without an inner
// Ethernet header. No capture of the corpus has such packets, so the programs are compared with
// libpcap's (unoptimized: instruction for instruction).
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/codegen/index.js';
import { libpcapCompile, oracleUnavailableReason } from '../support/oracle.js';

const unavailable = oracleUnavailableReason();

const EXPRESSIONS = [
  'lane and arp',
  'lane and geneve and arp',
  'lane and geneve and ip6 and tcp',
  'lane and geneve 5 and ether proto 0x88cc',
  'lane and geneve and ether host 1:2:3:4:5:6 and ip',
  'lane and geneve and vlan and ip',
  'lane and geneve and mpls and ip',
];

describe.skipIf(unavailable !== undefined)('SunATM LANE and Geneve', () => {
  it('compile to libpcap\'s unoptimized programs', () => {
    const theirs = libpcapCompile(EXPRESSIONS.map((expr) => ({ expr, linktype: 'SUNATM', optimize: false })));
    EXPRESSIONS.forEach((expr, i) => {
      const r = theirs[i]!;
      expect(r.ok, `${expr}: ${r.ok ? '' : r.error}`).toBe(true);
      if (r.ok) expect(compileFilter(expr, { linktype: 'SUNATM', optimize: false }).program, expr).toEqual(r.program);
    });
  });
});
