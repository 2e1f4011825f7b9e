// Error values and their tcpdump-style rendering.
import { describe, expect, it } from 'vitest';
import { FilterError } from '../../src/grammar/index.js';
import { refusalOf as refusal } from '../support/syntax-error.js';

describe('FilterSyntaxError', () => {
  it('says where, what and what was expected, the way the issue shows it', () => {
    const e = refusal('tcp port and udp');
    expect(e).toBeInstanceOf(FilterError);
    expect(e).toMatchObject({ column: 10, length: 3, text: 'and', expression: 'tcp port and udp' });
    expect(e.expected).toEqual(['a port number or name']);
    expect(e.format()).toBe([
      "filter: syntax error at column 10: expected a port number or name after 'port'",
      '  tcp port and udp',
      '           ^^^',
    ].join('\n'));
  });

  it('points just past the end when the expression stops early', () => {
    const e = refusal('host 10.0.0.1 and');
    expect(e).toMatchObject({ column: 18, length: 1, text: '' });
    expect(e.message).toMatch(/^syntax error at column 18: unexpected end of expression: expected .* after 'and'$/);
    expect(e.format().split('\n')[2]).toBe(`  ${' '.repeat(17)}^`);
  });

  it('carries the scanner\'s message for a malformed literal, underlining all of it', () => {
    const e = refusal('ip6 host fe80::10.20.30.256 or tcp');
    expect(e.expected).toEqual([]);
    expect(e).toMatchObject({ column: 10, length: 18, text: 'fe80::10.20.30.256' });
    expect(e.message).toBe('syntax error at column 10: invalid IPv6 address fe80::10.20.30.256');
  });

  it('keeps carets aligned under tabs and newlines', () => {
    const e = refusal('tcp\n\tand (');
    expect(e.column).toBe(11);
    expect(e.format().split('\n').slice(1)).toEqual(['  tcp  and (', `  ${' '.repeat(10)}^`]);
  });
});

describe('FilterError', () => {
  it('is the base later stages extend for their own refusals, printed alike', () => {
    class CodegenError extends FilterError {}
    const e = new CodegenError("'tcp' is not a valid qualifier for 'host'", 'tcp host a', { start: 0, end: 3 });
    expect(e.message).toBe("error at column 1: 'tcp' is not a valid qualifier for 'host'");
    expect(e.format('tcpdump')).toBe([
      "tcpdump: error at column 1: 'tcp' is not a valid qualifier for 'host'",
      '  tcp host a',
      '  ^^^',
    ].join('\n'));
    expect(e.reason).toBe("'tcp' is not a valid qualifier for 'host'");
  });
});
