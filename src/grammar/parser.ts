// Runs the compiled Nearley grammar and turns its failures into FilterSyntaxErrors that say where
// the expression went wrong and what would have been accepted there.
import nearley from 'nearley';
import type { CExpr } from './cst.js';
import { FilterSyntaxError } from './errors.js';
import grammar from './filter.generated.js';
import { lexer, type Token } from './lexer.js';

const compiled = nearley.Grammar.fromCompiled(grammar as unknown as nearley.CompiledRules);

/** How a token type reads in "expected ..." messages. */
const DESCRIPTIONS: Record<string, string> = {
  NUM: 'a number', ID: 'a name', HID: 'an IPv4 address', HID6: 'an IPv6 address', EID: 'a MAC address',
  AID: "a '$xx' address", PNAME: "a protocol such as 'ip' or 'tcp'", SRC: "'src'", DST: "'dst'",
  ADDRQ: "'addr1'..'addr4', 'ra' or 'ta'", HOST: "'host'", NET: "'net'", PORT: "'port'",
  PORTRANGE: "'portrange'", NETMASK: "'mask'", TQUAL: "'proto', 'protochain' or 'gateway'", TYPE: "'type'", SUBTYPE: "'subtype'", DIR: "'dir'", BYTE: "'byte'",
  CAST: "'broadcast' or 'multicast'", AND: "'and'", OR: "'or'", NOT: "'not'", LEN: "'len'",
  ALONE: "a keyword such as 'inbound'", KW_NUM: "'less', 'greater' or 'ifindex'",
  KW_ID: "'ifname', 'rset' or 'action'", ENCAP: "'vlan', 'mpls', 'pppoes', 'geneve' or 'vxlan'", LLC: "'llc'",
  FIELD: "'vpi', 'vci' or an MTP3 field", PF_RNR: "'rnr'", PF_REASON: "'reason'", LPAREN: "'('", RPAREN: "')'", LBRACK: "'['", RBRACK: "']'", COLON: "':'",
  PLUS: "'+'", MINUS: "'-'", STAR: "'*'", SLASH: "'/'", PERCENT: "'%'", AMP: "'&'", PIPE: "'|'",
  CARET: "'^'", LSH: "'<<'", RSH: "'>>'", GT: "'>'", GEQ: "'>='", LT: "'<'", LEQ: "'<='", EQ: "'='",
  NEQ: "'!='",
};

/** What a keyword wants next, in the user's terms (when the id is what is missing); by token type, or by
 * the word itself for the TQUAL words. */
const AFTER_KEYWORD: Record<string, string> = {
  PORT: 'a port number or name', PORTRANGE: 'a port range (e.g. 1000-2000) or port',
  HOST: 'a host address or name', NET: 'a network address (e.g. 10.0.0.0/8) or name',
  proto: 'a protocol number or name', protochain: 'a protocol number or name', gateway: 'a host name',
  NETMASK: 'a dotted netmask (e.g. 255.255.0.0)', KW_NUM: 'a number', PF_RNR: 'a number',
  TYPE: 'an 802.11 frame type', SUBTYPE: 'an 802.11 frame subtype', DIR: 'an 802.11 direction',
};

const ID_TYPES = ['ID', 'NUM', 'HID', 'HID6', 'EID', 'AID'];

const GROUPS: Array<[string[], string]> = [
  [ID_TYPES, 'an address, number or name'],
  [['HOST', 'NET', 'PORT', 'PORTRANGE', 'SRC', 'DST', 'ADDRQ', 'TQUAL', 'TYPE', 'SUBTYPE',
    'DIR', 'CAST', 'LBRACK'], "a qualifier or keyword (e.g. 'src', 'host', 'port', '[')"],
];

interface NearleyState {
  rule: { symbols: unknown[] };
  dot: number;
}

/** The token types the parser could have accepted next, from the Earley column it stopped at. */
function expectedTypes(parser: nearley.Parser, columnIndex: number): Set<string> {
  const table = (parser as unknown as { table: Array<{ states: NearleyState[] } | undefined> }).table;
  const types = new Set<string>();
  for (const state of table[columnIndex]?.states ?? []) {
    const sym = state.rule.symbols[state.dot];
    if (sym && typeof sym === 'object' && 'type' in sym) types.add((sym as { type: string }).type);
  }
  return types;
}

function describe(types: Set<string>, previous: Token | undefined): string[] {
  const phrase = previous && AFTER_KEYWORD[previous.type === 'TQUAL' ? previous.value : previous.type];
  if (phrase && ID_TYPES.some((t) => types.has(t))) return [phrase];
  // at the start of a term almost everything fits: say so briefly
  if (types.has('HOST') && types.has('PNAME') && types.has('LPAREN')) {
    return ["a primitive (e.g. 'host 10.0.0.1' or 'tcp port 80')", "'not'", "'('"];
  }
  const out: string[] = [];
  const grouped = new Set<string>();
  // a long run of alternatives reads better as one phrase
  for (const [members, phrase] of GROUPS) {
    if (members.filter((m) => types.has(m)).length >= 3) {
      out.push(phrase);
      for (const m of members) grouped.add(m);
    }
  }
  for (const t of types) {
    const d = DESCRIPTIONS[t] ?? t;
    if (!grouped.has(t) && !out.includes(d)) out.push(d);
  }
  return out;
}

function orList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? 'nothing') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function syntaxError(expression: string, parser: nearley.Parser, columnIndex: number, bad: Token | undefined,
  previous: Token | undefined): FilterSyntaxError {
  if (bad?.error) {
    return new FilterSyntaxError(bad.error, expression, { start: bad.offset, end: bad.offset + bad.text.length });
  }
  const expected = describe(expectedTypes(parser, columnIndex), previous);
  const after = previous ? ` after '${previous.text}'` : '';
  if (!bad) {
    const end = expression.length;
    return new FilterSyntaxError(`unexpected end of expression: expected ${orList(expected)}${after}`,
      expression, { start: end, end }, expected);
  }
  return new FilterSyntaxError(`expected ${orList(expected)}${after}`, expression,
    { start: bad.offset, end: bad.offset + bad.text.length }, expected);
}

/**
 * Every Nearley parse of `expression` (the grammar is unambiguous, so exactly one when it is valid).
 * Throws FilterSyntaxError when there is none.
 */
export function parseTrees(expression: string): CExpr[] {
  const parser = new nearley.Parser(compiled);
  // nearley describes a failure by walking every state stack: slow, and we describe it ourselves
  (parser as unknown as { reportError: () => string }).reportError = () => 'syntax error';
  try {
    parser.feed(expression);
  } catch (err) {
    const e = err as { token?: Token; offset?: number };
    if (e.offset === undefined || !e.token) throw err;
    throw syntaxError(expression, parser, e.offset, e.token, lexer.beforeLast);
  }
  if (parser.results.length === 0) {
    throw syntaxError(expression, parser, parser.current, undefined, lexer.last);
  }
  return parser.results as CExpr[];
}
