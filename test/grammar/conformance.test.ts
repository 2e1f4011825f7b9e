// The grammar stage against libpcap's own filter tests (libpcap master, see
// ../shared/conformance/README-libpcap.md): every accept expression parses, with exactly one Nearley
// parse; every reject case that libpcap's scanner or grammar refuses is refused here with a column;
// every other reject case is grammatical (libpcap refuses it later, in code generation), so it
// must parse here and be left to codegen.
import { describe, expect, it } from 'vitest';
import { parse } from '../../src/grammar/index.js';
import { parseTrees } from '../../src/grammar/parser.js';
import { filterTestCases, type RejectCase } from '../support/corpus.js';
import { syntaxErrorOf } from '../support/syntax-error.js';

/** filtertest's special keyword that dumps every opcode: not a filter expression. */
const NOT_A_FILTER = '_enumerate_bpf_image';

/**
 * libpcap errors that come from its scanner or grammar, and the parse-time refusal we add because
 * it does not depend on the link type ('data size must be 1, 2, or 4': the AST's load size is 1|2|4).
 * For the scanner's messages our message carries libpcap's text.
 */
const SYNTAX_ERROR = /^can't parse filter expression: syntax error$/;
const SCANNER_ERROR =
  /^(number \S+ contains non-octal digit|(octal|decimal|hexadecimal) number \S+ overflows 32 bits|invalid IPv6 address \S+|invalid Ethernet address|data size must be 1, 2, or 4)$/;

function unique<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => !seen.has(key(t)) && seen.add(key(t)));
}

const cases = filterTestCases();
const acceptExprs = unique(cases.filter((c) => c.kind === 'accept' && c.expr !== NOT_A_FILTER), (c) => c.expr!)
  .map((c) => c.expr!);
const rejects = unique(cases.filter((c): c is RejectCase => c.kind === 'reject' && c.expr !== null),
  (c) => `${c.expr}\0${c.error}`);
const syntaxRejects = rejects.filter((c) => SYNTAX_ERROR.test(c.error) || SCANNER_ERROR.test(c.error));
const laterRejects = rejects.filter((c) => !syntaxRejects.includes(c));

describe('libpcap conformance file, grammar stage', () => {
  it('has the cases this test is about', () => {
    expect(acceptExprs.length).toBeGreaterThan(1800);
    expect(syntaxRejects.length).toBeGreaterThan(55);
    expect(laterRejects.length).toBeGreaterThan(2000);
  });

  it('parses every accept expression with exactly one Nearley parse', () => {
    const failures: string[] = [];
    for (const expr of acceptExprs) {
      try {
        const n = parseTrees(expr).length;
        if (n !== 1) failures.push(`${JSON.stringify(expr)}: ${n} parses`);
        parse(expr);
      } catch (e) {
        failures.push(`${JSON.stringify(expr)}: ${(e as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses every case libpcap refuses as a syntax or scanner error, with a column', () => {
    const failures: string[] = [];
    for (const c of syntaxRejects) {
      const err = syntaxErrorOf(c.expr!);
      if (!err) {
        failures.push(`${c.name} ${JSON.stringify(c.expr)}: accepted, libpcap says ${c.error}`);
        continue;
      }
      if (err.column < 1 || err.column > c.expr!.length + 1) failures.push(`${c.name}: column ${err.column}`);
      if (SCANNER_ERROR.test(c.error) && !err.message.includes(c.error)) {
        failures.push(`${c.name}: message ${JSON.stringify(err.message)} lacks ${JSON.stringify(c.error)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('parses every other reject case exactly once (libpcap refuses those in code generation)', () => {
    const failures: string[] = [];
    for (const c of laterRejects) {
      try {
        const n = parseTrees(c.expr!).length;
        if (n !== 1) failures.push(`${c.name}: ${n} parses`);
        parse(c.expr!);
      } catch (e) {
        failures.push(`${c.name} ${JSON.stringify(c.expr)}: ${(e as Error).message} (libpcap: ${c.error})`);
      }
    }
    expect(failures).toEqual([]);
  });
});
