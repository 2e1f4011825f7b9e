// Errors that point into the filter expression. FilterError is the shared base: the parser throws
// FilterSyntaxError, and later stages (code generation) extend FilterError for their own refusals so
// that every message is printed the same way, with a caret line under the offending text:
//
//   filter: syntax error at column 10: expected a port number or name after 'port'
//     tcp port and udp
//              ^^^
import type { Span } from './ast.js';

export class FilterError extends Error {
  override name = 'FilterError';
  /** the whole expression */
  readonly expression: string;
  /** the offending text's 0-based span; an empty span at the end means "at the end of the expression" */
  readonly span: Span;
  /** 1-based column of the offending text */
  readonly column: number;
  /** length of the offending text (at least 1, for the caret line) */
  readonly length: number;
  /** the offending text ('' at the end of the expression) */
  readonly text: string;
  /** what went wrong, without the position (e.g. libpcap's own wording) */
  readonly reason: string;

  /** `kind` starts the message: 'syntax error' for the parser, 'error' by default */
  constructor(reason: string, expression: string, span: Span, kind = 'error') {
    const start = Math.min(Math.max(0, span.start), expression.length);
    const end = Math.min(Math.max(start, span.end), expression.length);
    super(`${kind} at column ${start + 1}: ${reason}`);
    this.reason = reason;
    this.expression = expression;
    this.span = { start, end };
    this.column = start + 1;
    this.length = Math.max(1, end - start);
    this.text = expression.slice(start, end);
  }

  /** The message as tcpdump users expect it: `prog: message`, the expression, and a caret line. */
  format(prog = 'filter'): string {
    // tabs and newlines would break the caret alignment: show them as spaces
    const shown = this.expression.replace(/[\t\n\r]/g, ' ');
    return `${prog}: ${this.message}\n  ${shown}\n  ${' '.repeat(this.column - 1)}${'^'.repeat(this.length)}`;
  }
}

/** The expression is not in the pcap-filter language (libpcap's scanner or grammar refuses it). */
export class FilterSyntaxError extends FilterError {
  override name = 'FilterSyntaxError';
  /** descriptions of what would have been accepted at that point (empty for a malformed literal) */
  readonly expected: string[];

  constructor(reason: string, expression: string, span: Span, expected: string[] = []) {
    super(reason, expression, span, 'syntax error');
    this.expected = expected;
  }
}
