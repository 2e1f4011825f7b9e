// The --ast printer: JSON.stringify's output exactly, at any depth.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringifyDeep } from '../../src/cli/json.js';
import { parse } from '../../src/grammar/index.js';
import { runFilter } from '../support/cli.js';
import { filterTestCases } from '../support/corpus.js';

describe('stringifyDeep', () => {
  it('prints what JSON.stringify(v, null, 2) prints', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      expect(stringifyDeep(v)).toBe(JSON.stringify(v, null, 2));
      expect(stringifyDeep(v, '')).toBe(JSON.stringify(v));
    }), { numRuns: 2000, seed: 11 });
    const odd = { a: undefined, b: [undefined, 1, {}, []], 'c"\n': 'x\u2028', d: { e: null } };
    expect(stringifyDeep(odd)).toBe(JSON.stringify(odd, null, 2));
    expect(stringifyDeep(odd, '')).toBe(JSON.stringify(odd));
  });

  it('prints the AST of every conformance expression as JSON.stringify does', () => {
    let n = 0;
    for (const c of filterTestCases()) {
      if (c.kind !== 'accept' || c.expr === undefined || c.expr === '_enumerate_bpf_image') continue;
      const ast = parse(c.expr);
      expect(stringifyDeep(ast)).toBe(JSON.stringify(ast, null, 2));
      n++;
    }
    expect(n).toBeGreaterThan(2000);
  });

  it('prints trees of any depth (compact where the indented text would be too long a string)', () => {
    const ast = parse(`${'not '.repeat(9000)}tcp`);
    const text = stringifyDeep(ast, '');
    expect(text.match(/"kind":"not"/g)).toHaveLength(9000);
    expect(JSON.parse(text)).toMatchObject({ kind: 'not', operand: { kind: 'not' } });
    // the command: 9,000 nots (libpcap accepts them) give JSON, not a stack trace
    const run = runFilter(['--ast', `${'not '.repeat(9000)}tcp`]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'not' });
  });
});
