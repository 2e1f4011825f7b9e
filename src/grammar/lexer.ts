// Scanner for pcap-filter expressions, feeding the Nearley parser.
//
// libpcap's flex scanner picks the LONGEST match among its rules and, on a tie, the earliest rule.
// That decides the language's lexical quirks: `1023-1` is one ID (longer than the number 1023),
// `10.1.2.3` is an IPv4 address but `10.1.2.3.` a name, any 12 hex digits are a MAC address,
// `fe80::1` is IPv6. A moo lexer picks the first matching rule instead, so moo only cuts the input
// into chunks (white space, punctuation, `\`-escaped names, `$xx`, and runs of word characters);
// each word run is then split with flex's longest-match rule by `splitWord`.
//
// Bad input never throws here: a malformed literal becomes a LEXERR token carrying libpcap's
// message, which no grammar rule accepts, so the parser reports it where it stands.
import moo from 'moo';
import { keyword, NAMED_CONSTANTS } from './keywords.js';
import { parseIPv6, parseMac, parseNumber } from './literals.js';

/** A type alias (not an interface) so that it fits Nearley's index-signature token type. */
export type Token = {
  type: string;
  /** canonical value: the keyword's canonical spelling, an operator, or the text of a literal */
  value: string;
  /** source text */
  text: string;
  /** 0-based offset in the expression */
  offset: number;
  /** NUM: its value */
  num?: number;
  /** HID6 / EID: the address bytes */
  bytes?: number[];
  /** LEXERR: libpcap's message */
  error?: string;
  // moo-compatible position fields (unused by our error reporting, which works on offsets)
  line: number;
  col: number;
  lineBreaks: number;
};

const PUNCT: Record<string, [string, string]> = {
  '(': ['LPAREN', '('], ')': ['RPAREN', ')'], '[': ['LBRACK', '['], ']': ['RBRACK', ']'],
  ':': ['COLON', ':'], '+': ['PLUS', '+'], '-': ['MINUS', '-'], '*': ['STAR', '*'], '/': ['SLASH', '/'],
  '%': ['PERCENT', '%'], '&': ['AMP', '&'], '|': ['PIPE', '|'], '^': ['CARET', '^'],
  '<<': ['LSH', '<<'], '>>': ['RSH', '>>'], '>': ['GT', '>'], '>=': ['GEQ', '>='], '<': ['LT', '<'],
  '<=': ['LEQ', '<='], '=': ['EQ', '='], '==': ['EQ', '='], '!=': ['NEQ', '!='],
};

const chunkerRules: moo.Rules = {
  ws: { match: /[ \r\n\t]+/, lineBreaks: true },
  escaped: /\\[^ !()\n\t]+/,
  aid: /\$[0-9A-Fa-f]{1,2}/,
  word: /[0-9A-Za-z:][-_.:0-9A-Za-z]*/,
  boolop: ['&&', '||'],
  punct: ['>=', '<=', '!=', '==', '<<', '>>', '(', ')', '[', ']', '+', '-', '*', '/', '%', '&', '|', '^',
    '>', '<', '=', '!'],
  other: { match: /[^]/, lineBreaks: true },
};

// ---- flex's word-level rules, in flex's order (earlier wins a tie) ----

const HEX = '[0-9A-Fa-f]';
const B = `${HEX}{1,2}`;
const B2 = `(?:${HEX}{4})`;
const W = `${HEX}{1,4}`;
const N = '(?:0[xX][0-9A-Fa-f]+|[0-9]+)';
const sticky = (src: string): RegExp => new RegExp(src, 'y');

const MAC_RULES = [
  `${B}(?::${B}){5}`, `${B}(?:-${B}){5}`, `${B}(?:\\.${B}){5}`, `${B2}\\.${B2}\\.${B2}`, `${B2}{3}`,
].map(sticky);
const NUM_RULE = sticky(N);
const HID_RULE = sticky(`${N}(?:\\.${N}){1,3}`);
/** Every IPv6 form flex lists: 8 groups, or at most 7 with one `::`; the same with a dotted-quad tail. */
const V6_RULES: RegExp[] = (() => {
  const groups = (n: number): string => Array.from({ length: n }, () => W).join(':');
  const forms: string[] = [groups(8), `${groups(6)}:${N}\\.${N}\\.${N}\\.${N}`];
  for (let g = 0; g <= 7; g++) {
    for (let k = 0; k <= g; k++) forms.push(`${groups(k)}::${groups(g - k)}`);
  }
  for (let g = 0; g <= 5; g++) {
    for (let k = 0; k <= g; k++) {
      forms.push(`${groups(k)}::${groups(g - k)}${g - k > 0 ? ':' : ''}${N}\\.${N}\\.${N}\\.${N}`);
    }
  }
  return forms.map(sticky);
})();
const BOGUS_MAC_RULE = sticky(`${B}:+(?:${B}:+)+`);
const ID_RULE = /[A-Za-z0-9](?:[-_.A-Za-z0-9]*[.A-Za-z0-9])?/y;

function matchLength(re: RegExp, s: string, at: number): number {
  re.lastIndex = at;
  const m = re.exec(s);
  return m ? m[0].length : 0;
}

function longest(rules: RegExp[], s: string, at: number): number {
  let best = 0;
  for (const re of rules) best = Math.max(best, matchLength(re, s, at));
  return best;
}

function makeToken(type: string, value: string, text: string, offset: number, extra?: Partial<Token>): Token {
  return { type, value, text, offset, line: 1, col: offset + 1, lineBreaks: 0, ...extra };
}

function lexError(text: string, offset: number, error: string): Token {
  return makeToken('LEXERR', text, text, offset, { error });
}

function numberToken(text: string, offset: number, value: number): Token {
  return makeToken('NUM', text, text, offset, { num: value });
}

/** Only a name can start with a letter that is not a hex digit: no need to try the other rules. */
const NAME_ONLY_START = /[G-Zg-z]/;

/** The token of one longest match at `at` inside a word run (which holds only [-_.:0-9A-Za-z]). */
function scanWordToken(word: string, at: number, base: number): Token {
  const offset = base + at;
  const candidates: Array<[kind: string, length: number]> = NAME_ONLY_START.test(word[at]!)
    ? [['ID', matchLength(ID_RULE, word, at)]]
    : [
      ['MAC', longest(MAC_RULES, word, at)],
      ['NUM', matchLength(NUM_RULE, word, at)],
      ['HID', matchLength(HID_RULE, word, at)],
      ['HID6', word.includes(':', at) ? longest(V6_RULES, word, at) : 0],
      ['BOGUS', matchLength(BOGUS_MAC_RULE, word, at)],
      ['ID', matchLength(ID_RULE, word, at)],
    ];
  let [kind, length] = candidates[0]!;
  for (const [k, l] of candidates) {
    if (l > length) [kind, length] = [k, l];
  }
  if (length === 0) {
    const ch = word[at]!;
    const p = PUNCT[ch];
    return p ? makeToken(p[0], p[1], ch, offset) : lexError(ch, offset, `illegal character '${ch}'`);
  }
  const text = word.slice(at, at + length);
  // keywords are listed first in flex, so a keyword ties ahead of every literal
  const kw = keyword(text);
  if (kw) return makeToken(kw[0], kw[1], text, offset);
  switch (kind) {
    case 'MAC':
      return makeToken('EID', text, text, offset, { bytes: parseMac(text) });
    case 'NUM': {
      const r = parseNumber(text);
      return 'value' in r ? numberToken(text, offset, r.value) : lexError(text, offset, r.error);
    }
    case 'HID':
      return makeToken('HID', text, text, offset);
    case 'HID6': {
      const bytes = parseIPv6(text);
      return bytes
        ? makeToken('HID6', text, text, offset, { bytes })
        : lexError(text, offset, `invalid IPv6 address ${text}`);
    }
    case 'BOGUS':
      return lexError(text, offset, `invalid Ethernet address ${text}`);
    default: {
      const constant = NAMED_CONSTANTS[text];
      return constant !== undefined && Object.hasOwn(NAMED_CONSTANTS, text)
        ? numberToken(text, offset, constant)
        : makeToken('ID', text, text, offset);
    }
  }
}

/** Splits a run of word characters into flex's tokens. */
function splitWord(word: string, base: number): Token[] {
  const tokens: Token[] = [];
  for (let at = 0; at < word.length;) {
    const t = scanWordToken(word, at, base);
    tokens.push(t);
    at += t.text.length;
  }
  return tokens;
}

/** Tokens of the chunk moo found, or undefined for white space. */
function chunkTokens(chunk: moo.Token): Token[] | undefined {
  const { text, offset } = chunk;
  switch (chunk.type) {
    case 'ws':
      return undefined;
    case 'word':
      return splitWord(text, offset);
    case 'escaped':
      return [makeToken('ID', text.slice(1), text, offset)];
    case 'aid':
      return [makeToken('AID', text, text, offset, { num: parseInt(text.slice(1), 16) })];
    case 'boolop':
      return [makeToken(text === '&&' ? 'AND' : 'OR', text === '&&' ? 'and' : 'or', text, offset)];
    case 'punct': {
      if (text === '!') return [makeToken('NOT', 'not', text, offset)];
      const [type, value] = PUNCT[text]!;
      return [makeToken(type, value, text, offset)];
    }
    default:
      return [lexError(text, offset, `illegal character '${text}'`)];
  }
}

/** The lexer object Nearley drives (its Lexer interface: reset / next / save / formatError / has). */
export class FilterLexer {
  private readonly chunker = moo.compile(chunkerRules);
  private queue: Token[] = [];
  private queued = 0;
  /** the last token returned, and the one before it (for error messages) */
  last: Token | undefined;
  beforeLast: Token | undefined;

  reset(data: string): void {
    this.chunker.reset(data);
    this.queue = [];
    this.queued = 0;
    this.last = this.beforeLast = undefined;
  }

  next(): Token | undefined {
    while (this.queued >= this.queue.length) {
      const chunk = this.chunker.next();
      if (!chunk) return undefined;
      this.queue = chunkTokens(chunk) ?? [];
      this.queued = 0;
    }
    this.beforeLast = this.last;
    this.last = this.queue[this.queued++];
    return this.last;
  }

  save(): undefined {
    return undefined;
  }

  formatError(token: Token, message = 'unexpected token'): string {
    return `${message} at offset ${token.offset}`;
  }

  has(_type: string): boolean {
    return true;
  }
}

/** All tokens of an expression (for tests and tools; the parser pulls them one by one). */
export function tokenize(expression: string): Token[] {
  const lx = new FilterLexer();
  lx.reset(expression);
  const out: Token[] = [];
  for (let t = lx.next(); t; t = lx.next()) out.push(t);
  return out;
}

export const lexer = new FilterLexer();
