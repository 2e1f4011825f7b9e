// The FilterSyntaxError parse() throws, for tests of what the grammar refuses.
import { FilterSyntaxError, parse } from '../../src/grammar/index.js';

/** The FilterSyntaxError parse() throws on `expr`, or undefined when it parses; any other error propagates. */
export function syntaxErrorOf(expr: string): FilterSyntaxError | undefined {
  try {
    parse(expr);
    return undefined;
  } catch (e) {
    if (e instanceof FilterSyntaxError) return e;
    throw e;
  }
}

/** The FilterSyntaxError for an expression that must be refused; throws when it parses. */
export function refusalOf(expr: string): FilterSyntaxError {
  const e = syntaxErrorOf(expr);
  if (e === undefined) throw new Error(`${JSON.stringify(expr)} parsed`);
  return e;
}
