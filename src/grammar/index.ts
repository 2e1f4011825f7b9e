// The grammar stage: pcap-filter expression text -> typed AST (see ast.ts).
import type { Expr } from './ast.js';
import { FilterSyntaxError } from './errors.js';
import { parseTrees } from './parser.js';
import { resolve } from './resolve.js';

export type * from './ast.js';
export { FilterError, FilterSyntaxError } from './errors.js';

/**
 * Parses a pcap-filter expression the way libpcap's grammar does, with qualifier inheritance
 * resolved. Throws FilterSyntaxError for anything libpcap's scanner or grammar refuses; the
 * refusals that depend on the link type or on name lookups are code generation's.
 */
export function parse(expression: string): Expr {
  const trees = parseTrees(expression);
  if (trees.length !== 1) {
    // the grammar is written to be unambiguous; more than one parse is a bug in filter.ne
    throw new Error(`internal error: ${trees.length} parses of ${JSON.stringify(expression)}`);
  }
  try {
    return resolve(trees[0]!, expression);
  } catch (e) {
    // a few thousand nesting levels exhaust the JavaScript stack (how many depends on the engine's state);
    // libpcap's parser refuses only beyond 10000 levels ("memory exhausted")
    if (e instanceof RangeError) {
      throw new FilterSyntaxError('expression nested too deeply', expression, { start: 0, end: 1 });
    }
    throw e;
  }
}
