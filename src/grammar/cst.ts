// The parse tree the grammar's postprocessors build (filter.ne), before qualifier inheritance is
// resolved (resolve.ts). It keeps libpcap's distinction between terms and bare ids, which the AST
// drops once every id has its qualifiers. Postprocessors run on every Earley item that completes,
// including dead ends, so they only build nodes: checks that can fail happen in resolve.ts.
import type { CArith, CAtom, COperand } from './arith.js';
import type { DirQual, Expr, Id, ProtoQual, Qualifiers, RelOp, Span, TypeQual } from './ast.js';
import { ATM_WORDS, MTP2_WORDS } from './keywords.js';
import type { Token } from './lexer.js';
import { ipv4Octets, leftAligned } from './literals.js';

/** An id (libpcap's `id`/`pid`): qualifiers come from the context it appears in. */
export type CId =
  | { t: 'id'; id: Id; span: Span }
  | { t: 'notId'; operand: CId; span: Span }
  | { t: 'idBin'; op: 'and' | 'or'; left: CId; right: CId; span: Span }
  | { t: 'parenId'; inner: CId; span: Span };

export interface CHead {
  q: Qualifiers;
  span: Span;
}

/** A term or expression (libpcap's `expr`/`term`/`rterm`). */
export type CExpr =
  | { t: 'bin'; op: 'and' | 'or'; left: CExpr; right: CExpr | CId; span: Span }
  | { t: 'not'; operand: CExpr; span: Span }
  | { t: 'paren'; inner: CExpr; span: Span }
  | { t: 'prim'; head: CHead; id: CId; span: Span }
  /** a primitive that takes no id: its q is libpcap's qerr (nothing to inherit) */
  | { t: 'leaf'; expr: Expr; span: Span }
  /** `arith relop arith` (also takes no id); the trees are built in resolve.ts */
  | { t: 'relation'; op: RelOp; left: CArith; right: CArith; span: Span }
  | { t: 'empty' };

/** A parenthesised number (`pnum`) */
export interface PNum {
  value: number;
  text: string;
  span: Span;
}

type D = any[];

const CEXPR_KINDS = new Set(['bin', 'not', 'paren', 'prim', 'leaf', 'relation']);

export function isCExpr(n: CExpr | CId): n is CExpr {
  return CEXPR_KINDS.has(n.t);
}

const tokSpan = (t: Token): Span => ({ start: t.offset, end: t.offset + t.text.length });
const join = (a: Span, b: Span): Span => ({ start: a.start, end: b.end });
const leaf = (expr: Expr): CExpr => ({ t: 'leaf', expr, span: expr.span });

// ---- expressions ----

export const emptyProg = (): CExpr => ({ t: 'empty' });

export const binExpr = ([left, op, right]: D): CExpr =>
  ({ t: 'bin', op: (op as Token).value as 'and' | 'or', left, right, span: join(left.span, right.span) });

export const notExpr = ([not, operand]: D): CExpr =>
  ({ t: 'not', operand, span: join(tokSpan(not), operand.span) });

export const parenExpr = ([lp, inner, rp]: D): CExpr =>
  ({ t: 'paren', inner, span: join(tokSpan(lp), tokSpan(rp)) });

export const prim = ([head, id]: D): CExpr =>
  ({ t: 'prim', head, id, span: join(head.span, id.span) });

// ---- ids ----

const idNode = (id: Id, span: Span): CId => ({ t: 'id', id, span });

export const pnum = ([t]: D): PNum => ({ value: (t as Token).num!, text: (t as Token).text, span: tokSpan(t) });

export const parenPNum = ([lp, inner, rp]: D): PNum =>
  ({ value: inner.value, text: inner.text, span: join(tokSpan(lp), tokSpan(rp)) });

export const numId = ([n]: D): CId => idNode({ kind: 'num', value: n.value, text: n.text }, n.span);

export const nameId = ([t]: D): CId => {
  const tok = t as Token;
  return idNode({ kind: 'name', name: tok.value, escaped: tok.text.startsWith('\\'), text: tok.text }, tokSpan(tok));
};

export const hid = ([t]: D): CId => {
  const octets = ipv4Octets((t as Token).text);
  return idNode({ kind: 'ipv4', value: leftAligned(octets), parts: octets.length, octets, text: t.text }, tokSpan(t));
};

export const hidCidr = ([t, , n]: D): CId => {
  const octets = ipv4Octets((t as Token).text);
  const text = `${t.text}/${n.text}`;
  return idNode(
    { kind: 'ipv4cidr', value: leftAligned(octets), parts: octets.length, octets, prefix: n.num, text },
    join(tokSpan(t), tokSpan(n)),
  );
};

export const hidMask = ([t, , m]: D): CId => {
  const octets = ipv4Octets((t as Token).text);
  const maskOctets = ipv4Octets((m as Token).text);
  return idNode(
    {
      kind: 'ipv4mask', value: leftAligned(octets), mask: leftAligned(maskOctets), octets, maskOctets,
      text: `${t.text} mask ${m.text}`,
    },
    join(tokSpan(t), tokSpan(m)),
  );
};

export const hid6 = ([t]: D): CId => idNode({ kind: 'ipv6', bytes: t.bytes, text: t.text }, tokSpan(t));

export const hid6Cidr = ([t, , n]: D): CId =>
  idNode({ kind: 'ipv6', bytes: t.bytes, prefix: n.num, text: `${t.text}/${n.text}` }, join(tokSpan(t), tokSpan(n)));

export const eid = ([t]: D): CId => idNode({ kind: 'mac', bytes: t.bytes, text: t.text }, tokSpan(t));

export const aid = ([t]: D): CId => idNode({ kind: 'mac8', value: t.num, text: t.text }, tokSpan(t));

export const notId = ([not, operand]: D): CId => ({ t: 'notId', operand, span: join(tokSpan(not), operand.span) });

export const binId = ([left, op, right]: D): CId =>
  ({ t: 'idBin', op: (op as Token).value as 'and' | 'or', left, right, span: join(left.span, right.span) });

export const parenId = ([lp, inner, rp]: D): CId => ({ t: 'parenId', inner, span: join(tokSpan(lp), tokSpan(rp)) });

// ---- qualifier heads ----

function qualifierHead(tokens: Array<Token | null>): CHead {
  const present = tokens.filter((t): t is Token => t !== null);
  const q: Qualifiers = {};
  const dirWords: string[] = [];
  for (const t of present) {
    switch (t.type) {
      case 'PNAME':
        q.proto = t.value as ProtoQual;
        q.protoText = t.text;
        q.protoSpan = tokSpan(t);
        break;
      case 'SRC': case 'DST': case 'AND': case 'OR': case 'ADDRQ':
        dirWords.push(t.value);
        break;
      default:
        q.type = t.value as TypeQual;
        q.typeSpan = tokSpan(t);
    }
  }
  const dirTokens = present.filter((t) => ['SRC', 'DST', 'AND', 'OR', 'ADDRQ'].includes(t.type));
  if (dirWords.length === 1) q.dir = dirWords[0] as DirQual;
  else if (dirWords.length === 3) q.dir = dirWords[1] === 'or' ? 'src or dst' : 'src and dst';
  if (dirTokens.length > 0) q.dirSpan = join(tokSpan(dirTokens[0]!), tokSpan(dirTokens[dirTokens.length - 1]!));
  return { q, span: join(tokSpan(present[0]!), tokSpan(present[present.length - 1]!)) };
}

/** `Head -> PQual HeadRest`: tokens, nested token lists (HeadRest, DQual) and null for no PQual. */
export const head = (d: D): CHead => qualifierHead(d.flat(3));

// ---- primitives without ids ----

export const abbrev = ([t]: D): CExpr =>
  leaf({ kind: 'abbrev', proto: t.value as ProtoQual, protoText: t.text, span: tokSpan(t) });

export const relation = ([left, op, right]: D): CExpr =>
  ({ t: 'relation', op: (op as Token).value as RelOp, left, right, span: join(left.span, right.span) });

const startOf = (pq: Token | null, t: Token): Span => tokSpan(pq ?? t);
const wordOrNumber = (t: Token): number | string => (t.type === 'NUM' ? t.num! : t.value);

/** `[proto] broadcast|multicast` and the 802.11 `[proto] type/subtype/dir` (which ignore the proto). */
export const pqualPrimitive = ([pq, tail]: D): CExpr => {
  const p = pq as Token | null;
  if (!Array.isArray(tail)) {
    const t = tail as Token;
    const kind = t.value as 'broadcast' | 'multicast';
    const span = startOf(p, t);
    return leaf(p ? { kind, proto: p.value as ProtoQual, protoText: p.text, span: join(span, tokSpan(t)) }
      : { kind, span: tokSpan(t) });
  }
  const [kw, a, , b] = tail as Token[];
  const span = join(startOf(p, kw!), tokSpan(tail[tail.length - 1]));
  switch (kw!.type) {
    case 'TYPE':
      return leaf(b ? { kind: 'wlanType', type: wordOrNumber(a!), subtype: wordOrNumber(b), span }
        : { kind: 'wlanType', type: wordOrNumber(a!), span });
    case 'SUBTYPE':
      return leaf({ kind: 'wlanSubtype', subtype: wordOrNumber(a!), span });
    default:
      return leaf({ kind: 'wlanDir', dir: wordOrNumber(a!), span });
  }
};

/** A keyword that is a primitive by itself. */
export const alone = ([t]: D): CExpr => {
  const { value } = t as Token;
  const span = tokSpan(t);
  if (ATM_WORDS.has(value)) return leaf({ kind: 'atm', name: value, span });
  if (MTP2_WORDS.has(value)) return leaf({ kind: 'mtp2', name: value, span });
  return leaf({ kind: value as 'inbound' | 'outbound' | 'pppoed', span });
};

/** less N, greater N, ifindex N, srnr N */
export const kwNum = ([t, n]: D): CExpr => {
  const { value } = t as Token;
  const span = join(tokSpan(t), tokSpan(n));
  if (value === 'srnr') return leaf({ kind: 'pf', field: 'srnr', value: n.num, span });
  return leaf({ kind: value as 'less' | 'greater' | 'ifindex', value: n.num, span });
};

export const byteCmp = ([t, idx, op, v]: D): CExpr =>
  leaf({ kind: 'byte', index: idx.num, op: op.value, value: v.num, span: join(tokSpan(t), tokSpan(v)) });

export const encap = ([t, n]: D): CExpr => {
  const kind = (t as Token).value as 'vlan' | 'mpls' | 'pppoes' | 'geneve' | 'vxlan';
  return leaf(n ? { kind, value: n.value, span: join(tokSpan(t), n.span) } : { kind, span: tokSpan(t) });
};

export const pfVar = ([t, v]: D): CExpr => leaf({
  kind: 'pf',
  field: (t as Token).value as 'ifname' | 'rnr' | 'rset' | 'reason' | 'action',
  value: wordOrNumber(v),
  span: join(tokSpan(t), tokSpan(v)),
});

export const llc = ([t, ty]: D): CExpr => leaf(ty
  ? { kind: 'llc', type: (ty as Token).value.toLowerCase(), span: join(tokSpan(t), tokSpan(ty)) }
  : { kind: 'llc', span: tokSpan(t) });

/** A field comparison value: `N`, `relop N`, or `(N or N ...)`. */
export interface FieldTest {
  op: RelOp;
  value: number;
  span: Span;
}

export const fieldEq = ([n]: D): FieldTest[] => [{ op: '=', value: n.num, span: tokSpan(n) }];
export const fieldRel = ([op, n]: D): FieldTest[] => [{ op: op.value, value: n.num, span: join(tokSpan(op), tokSpan(n)) }];
export const fieldList = ([, list]: D): FieldTest[] => list;
export const fieldListAppend = ([list, , n]: D): FieldTest[] => [...list, { op: '=', value: n.num, span: tokSpan(n) }];

/** `vpi|vci|sio|... VALUE`: one comparison, or an OR of equalities for a list. */
export const fieldCmp = ([t, tests]: D): CExpr => {
  const tok = t as Token;
  const one = (ft: FieldTest): Expr => {
    const span = tests.length === 1 ? join(tokSpan(tok), ft.span) : ft.span;
    return tok.value === 'vpi' || tok.value === 'vci'
      ? { kind: 'atmField', field: tok.value as 'vpi' | 'vci', op: ft.op, value: ft.value, span }
      : { kind: 'mtp3Field', field: tok.value, op: ft.op, value: ft.value, span };
  };
  const exprs = (tests as FieldTest[]).map(one);
  let e = exprs[0]!;
  for (const next of exprs.slice(1)) e = { kind: 'or', left: e, right: next, span: join(e.span, next.span) };
  return leaf(tests.length === 1 ? e : { ...e, span: join(tokSpan(tok), tests[tests.length - 1].span) });
};

// ---- arithmetic (trees are built by arith.ts, once, in resolve.ts) ----

export const arithFirst = ([operand]: D): CArith => ({ prev: null, op: null, operand, span: operand.span });

export const arithAppend = ([prev, op, operand]: D): CArith =>
  ({ prev, op, operand, span: join(prev.span, operand.span) });

export const negOperand = ([minus, inner]: D): COperand =>
  ({ negs: { tok: minus, next: inner.negs }, atom: inner.atom, span: join(tokSpan(minus), inner.span) });

export const atomOperand = ([atom]: D): COperand => ({ negs: null, atom: atom.a, span: atom.span });

/** Atoms travel with their span, for the operand that holds them. */
interface SpannedAtom {
  a: CAtom;
  span: Span;
}

export const atomNum = ([t]: D): SpannedAtom => ({ a: { t: 'num', tok: t }, span: tokSpan(t) });

export const atomLen = ([t]: D): SpannedAtom => ({ a: { t: 'len', tok: t }, span: tokSpan(t) });

export const atomLoad = (d: D): SpannedAtom => {
  const span = join(tokSpan(d[0]), tokSpan(d[d.length - 1]));
  return { a: { t: 'load', proto: d[0], index: d[2], size: d.length === 6 ? d[4] : null, span }, span };
};

export const atomParen = ([lp, inner, rp]: D): SpannedAtom => {
  const span = join(tokSpan(lp), tokSpan(rp));
  return { a: { t: 'paren', inner, span }, span };
};
