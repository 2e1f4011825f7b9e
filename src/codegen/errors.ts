// Errors raised while compiling a filter: the same refusals libpcap makes, with the source span
// of the offending primitive when there is one.
import type { Span } from '../grammar/ast.js';

export class CompileError extends Error {
  readonly span?: Span;
  constructor(message: string, span?: Span) {
    super(message);
    this.name = 'CompileError';
    this.span = span;
  }
}

/** libpcap's optimizer verdict "expression rejects all packets": compiled anyway, to match nothing. */
export const REJECTS_ALL_PACKETS = 'expression rejects all packets';
