// Differential test against the system libpcap (1.10.3): random mutations of valid expressions must
// be accepted by our parser when libpcap compiles them, and refused when libpcap's scanner or grammar
// refuses them. libpcap generates code while it parses, so a semantic refusal (unknown name, wrong
// qualifier for the link type, ...) can hide a later syntax error: those cases decide nothing.
// Expressions with names are left out: libpcap would look them up (DNS), which is slow and varies.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/grammar/lexer.js';
import { filterTestCases } from '../support/corpus.js';
import { libpcapCompile, oracleAvailable, oracleUnavailableReason } from '../support/oracle.js';
import { syntaxErrorOf } from '../support/syntax-error.js';

/** libpcap refusals that come from its scanner or grammar (or from an id with no qualifiers to inherit). */
const LIBPCAP_SYNTAX =
  /syntax error$|syntax error in filter expression|contains non-(octal|hex|decimal) digit|overflows 32 bits|bogus ethernet address|invalid IPv6 address|illegal (token|character)/;

const hasName = (e: string): boolean => tokenize(e).some((t) => t.type === 'ID');

// vxlan is newer than libpcap 1.10.3
const bases = [...new Set(filterTestCases().filter((c) => c.kind === 'accept').map((c) => c.expr!))]
  .filter((e) => e !== '_enumerate_bpf_image' && !e.includes('vxlan') && !hasName(e));

const PIECES = ['(', ')', '[', ']', ':', '!', 'and', 'or', 'not', 'host', 'net', 'port', 'src', 'dst', 'tcp', 'ip',
  'ether', 'proto', 'mask', 'len', '-', '+', '%', '^', '<<', '>=', '==', '10', '0x1f', '10.0.0.1', '10.1', 'fe80::1',
  'aa:bb:cc:dd:ee:ff', '$1', 'vlan', '1', '2', '/', '*'];

const skipReason = oracleAvailable() ? undefined : oracleUnavailableReason();

describe.skipIf(skipReason !== undefined)(`grammar vs libpcap${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('accepts what libpcap compiles and refuses what its scanner or grammar refuses', () => {
    const mutations = fc.sample(fc.record({
      base: fc.constantFrom(...bases),
      at: fc.nat(),
      cut: fc.nat({ max: 10 }),
      insert: fc.array(fc.constantFrom(...PIECES), { maxLength: 3 }),
    }), { numRuns: 3000, seed: 20261125 });
    const exprs = [...new Set(mutations.map(({ base, at, cut, insert }) => {
      const i = at % (base.length + 1);
      return `${base.slice(0, i)} ${insert.join(' ')} ${base.slice(i + cut)}`;
    }))].filter((e) => !hasName(e));
    const verdicts = libpcapCompile(exprs.map((expr) => ({ expr, linktype: 'EN10MB' })));

    const disagreements: string[] = [];
    let decided = 0;
    let refusedByBoth = 0;
    exprs.forEach((expr, i) => {
      const libpcap = verdicts[i]!;
      const ours = syntaxErrorOf(expr)?.message;
      if (libpcap.ok) {
        decided++;
        if (ours !== undefined) disagreements.push(`${JSON.stringify(expr)}: libpcap compiles it, we say ${ours}`);
      } else if (LIBPCAP_SYNTAX.test(libpcap.error)) {
        decided++;
        refusedByBoth += ours === undefined ? 0 : 1;
        if (ours === undefined) disagreements.push(`${JSON.stringify(expr)}: libpcap says ${libpcap.error}, we accept`);
      }
    });
    expect(disagreements).toEqual([]);
    // enough cases of both kinds were decided for this to mean something
    expect(decided).toBeGreaterThan(1000);
    expect(refusedByBoth).toBeGreaterThan(200);
  });
});
