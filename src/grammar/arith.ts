// Arithmetic expressions: the grammar reads them as a flat list of operands and binary operators,
// and buildArith gives the list libpcap's structure by replaying what its yacc parser does.
//
// libpcap declares, low to high: | & (<< >>) (+ -) (* /) unary-minus, all left-associative, and
// nothing for % and ^. yacc resolves every shift/reduce conflict that involves an operator without
// precedence by shifting, so:
// - the left operand of % or ^ is the single operand just before it (`len + 1 % 3` = `len + (1 % 3)`,
//   `-len % 3` = `-(len % 3)`), and
// - its right operand runs to the end of the arithmetic expression (`len % 3 + 1` = `len % (3 + 1)`).
import type { Arith, ArithOp, ProtoQual, Span } from './ast.js';
import type { Token } from './lexer.js';
import { run, type Walk } from './trampoline.js';

export type CAtom =
  | { t: 'num'; tok: Token }
  | { t: 'len'; tok: Token }
  | { t: 'load'; proto: Token; index: CArith; size: Token | null; span: Span }
  | { t: 'paren'; inner: CArith; span: Span };

/** Unary minus signs, outermost first, as a persistent list (`- - - x` adds one sign at a time). */
export interface CNegs {
  tok: Token;
  next: CNegs | null;
}

/** An operand: unary minus signs applied to an atom. */
export interface COperand {
  negs: CNegs | null;
  atom: CAtom;
  span: Span;
}

/** The operand/operator list, as a persistent list (the parser extends it one operand at a time). */
export interface CArith {
  prev: CArith | null;
  /** the operator before `operand` (null for the first operand) */
  op: Token | null;
  operand: COperand;
  span: Span;
}

/** Binding strength of the operators libpcap declares; % and ^ are absent on purpose. */
const PRECEDENCE: Partial<Record<string, number>> = {
  '|': 1, '&': 2, '<<': 3, '>>': 3, '+': 4, '-': 4, '*': 5, '/': 5,
};
const UNARY_MINUS = 6;

type Pending = { t: 'neg'; tok: Token } | { t: 'bin'; op: ArithOp };

/** Checks made when the tree is built: libpcap's gen_load refuses other sizes. */
export class ArithError extends Error {
  constructor(message: string, readonly span: Span) {
    super(message);
  }
}

function* atomTree(a: CAtom): Walk<Arith> {
  switch (a.t) {
    case 'num':
      return { kind: 'num', value: a.tok.num!, span: { start: a.tok.offset, end: a.tok.offset + a.tok.text.length } };
    case 'len':
      return { kind: 'len', span: { start: a.tok.offset, end: a.tok.offset + a.tok.text.length } };
    case 'load': {
      const size = a.size ? a.size.num! : 1;
      if (size !== 1 && size !== 2 && size !== 4) throw new ArithError('data size must be 1, 2, or 4', a.span);
      return {
        kind: 'load', proto: a.proto.value as ProtoQual, protoText: a.proto.text, index: yield arithTree(a.index), size,
        span: a.span,
      };
    }
    case 'paren':
      return { ...((yield arithTree(a.inner)) as Arith), span: a.span };
  }
}

/** The expression tree of an operand list, with libpcap's precedence. */
export function buildArith(list: CArith): Arith {
  return run(arithTree(list));
}

function* arithTree(list: CArith): Walk<Arith> {
  const items: CArith[] = [];
  for (let l: CArith | null = list; l; l = l.prev) items.push(l);
  items.reverse();

  const operands: Arith[] = [];
  const pending: Pending[] = [];
  const reduce = (): void => {
    const p = pending.pop()!;
    const right = operands.pop()!;
    if (p.t === 'neg') {
      operands.push({ kind: 'neg', operand: right, span: { start: p.tok.offset, end: right.span.end } });
    } else {
      const left = operands.pop()!;
      operands.push({ kind: 'binary', op: p.op, left, right, span: { start: left.span.start, end: right.span.end } });
    }
  };
  /** yacc's choice on seeing `op` with `top` on the stack: reduce only when both have a precedence */
  const reducesBefore = (top: Pending, op: string): boolean => {
    const incoming = PRECEDENCE[op];
    if (incoming === undefined) return false;
    const stacked = top.t === 'neg' ? UNARY_MINUS : PRECEDENCE[top.op];
    return stacked !== undefined && stacked >= incoming;
  };

  for (const item of items) {
    if (item.op) {
      const op = item.op.value;
      while (pending.length > 0 && reducesBefore(pending[pending.length - 1]!, op)) reduce();
      pending.push({ t: 'bin', op: op as ArithOp });
    }
    for (let n = item.operand.negs; n; n = n.next) pending.push({ t: 'neg', tok: n.tok });
    operands.push(yield atomTree(item.operand.atom));
  }
  while (pending.length > 0) reduce();
  return operands[0]!;
}
