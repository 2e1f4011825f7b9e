// Bad input is normal input: whatever text comes in, parse() returns an AST or throws a
// FilterSyntaxError pointing inside (or just past) the expression, and never anything else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, parse } from '../../src/grammar/index.js';
import { filterTestCases } from '../support/corpus.js';

/** parse() outcome, checking the only two allowed shapes. */
function outcome(expr: string): 'ast' | 'error' {
  try {
    const ast = parse(expr);
    expect(typeof ast.kind).toBe('string');
    return 'ast';
  } catch (e) {
    if (!(e instanceof FilterSyntaxError)) throw new Error(`${JSON.stringify(expr)} threw ${String(e)}`);
    expect(e.column).toBeGreaterThanOrEqual(1);
    expect(e.column).toBeLessThanOrEqual(expr.length + 1);
    expect(e.expression).toBe(expr);
    expect(e.format()).toContain('^');
    return 'error';
  }
}

const valid = [...new Set(filterTestCases().filter((c) => c.kind === 'accept').map((c) => c.expr!))]
  .filter((e) => e !== '_enumerate_bpf_image');

/** Pieces that make mutations interesting: every kind of token, and some malformed literals. */
const PIECES = [
  ' ', '(', ')', '[', ']', ':', '!', 'and', 'or', 'not', '&&', '||', 'host', 'net', 'port', 'portrange',
  'src', 'dst', 'tcp', 'ip', 'ether', 'proto', 'protochain', 'gateway', 'mask', 'len', '-', '+', '%', '^',
  '<<', '>=', '==', '!=', '10', '0x1f', '08', '10.0.0.1', '10.1', 'fe80::1', '::', 'aa:bb:cc:dd:ee:ff',
  'aa:bb:', '$1', '$', '\\tcp', '\\', 'name.', '1023-1', 'vlan', 'type', 'subtype', 'llc', 'vpi', '99999999999',
];

const mutation = fc.record({
  base: fc.constantFrom(...valid),
  at: fc.nat(),
  cut: fc.nat({ max: 12 }),
  insert: fc.array(fc.constantFrom(...PIECES), { maxLength: 3 }),
});

describe('parse on arbitrary input', () => {
  it('returns an AST or throws FilterSyntaxError for random strings', () => {
    const alphabet = fc.constantFrom(...'abhostp0123456789.:-_$\\()[]!&|<>=+*/%^ \t\nxX'.split(''));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 60 }).map((a) => a.join('')), (s) => {
      outcome(s);
    }), { numRuns: 1500 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      outcome(s);
    }), { numRuns: 500 });
  });

  it('returns an AST or throws FilterSyntaxError for mutations of valid expressions', () => {
    let errors = 0;
    fc.assert(fc.property(mutation, ({ base, at, cut, insert }) => {
      const i = at % (base.length + 1);
      const text = base.slice(0, i) + insert.join(' ') + base.slice(i + cut);
      if (outcome(text) === 'error') errors++;
    }), { numRuns: 2000 });
    // the mutations must actually break things now and then, or this test proves little
    expect(errors).toBeGreaterThan(100);
  });

  it('copes with long garbage and deep nesting', () => {
    const garbage = fc.sample(fc.array(fc.constantFrom(...PIECES), { minLength: 2000, maxLength: 2000 }), { numRuns: 3, seed: 7 });
    for (const pieces of garbage) outcome(pieces.join(' '));
    // libpcap parses nestings up to its parser's 10,000-entry stack and refuses deeper ones ("memory
    // exhausted"; test/codegen/big-expressions.test.ts compares depths up to 9,990 with tcpdump). Known
    // difference: our walks keep nesting on the heap, so deeper ones parse too (never a stack overflow).
    const nestings = [
      (n: number) => `${'('.repeat(n)}tcp${')'.repeat(n)}`,
      (n: number) => `${'not '.repeat(n)}tcp`,
      (n: number) => `len = ${'('.repeat(n)}1${')'.repeat(n)}`,
      (n: number) => `len = ${'ip['.repeat(n)}1${']'.repeat(n)}`,
    ];
    for (const nest of nestings) {
      expect(outcome(nest(1000))).toBe('ast');
      expect(outcome(nest(30_000))).toBe('ast');
    }
    expect(outcome(`${'host a and '.repeat(3000)}(`)).toBe('error');
    expect(outcome('1 + '.repeat(3000) + '1 = 0')).toBe('ast');
  });
});
