// Turns the parse tree into the AST, resolving libpcap's qualifier inheritance.
//
// libpcap threads a "current qualifiers" value through its grammar (yacc's $0): a `head id`
// primitive sets it to the head's qualifiers, every bare id after `and`/`or`/`not` takes it,
// `not` passes it through, a parenthesised expression passes on the value from BEFORE the
// parenthesis (so in `host a and (tcp port 80) and 81` the 81 is a host), and primitives that take
// no id (`tcp`, `len > 1`, `vlan 10`, ...) set it to "none": a bare id after them is a syntax error
// in libpcap ("syntax error in filter expression"), and here.
import { ArithError, buildArith, type CArith } from './arith.js';
import type { Arith, Expr, IdPrimitive, Qualifiers, Span } from './ast.js';
import { type CExpr, type CId, isCExpr } from './cst.js';
import { FilterSyntaxError } from './errors.js';
import { run, type Walk } from './trampoline.js';

/** The qualifiers a bare id would take here; null = none (libpcap's qerr). */
type Context = Qualifiers | null;

interface Resolved {
  expr: Expr;
  /** the qualifiers in effect after this expression */
  ctx: Context;
}

class Resolver {
  constructor(private readonly expression: string) {}

  *expr(n: CExpr, ctx: Context): Walk<Resolved> {
    switch (n.t) {
      case 'bin': {
        // walk the left spine iteratively: a long `a or b or c ...` list is a deep left chain
        const spine: Array<Extract<CExpr, { t: 'bin' }>> = [];
        let first: CExpr = n;
        for (; first.t === 'bin'; first = first.left) spine.push(first);
        let acc: Resolved = yield this.expr(first, ctx);
        for (const b of spine.reverse()) {
          const right: Resolved = isCExpr(b.right)
            ? yield this.expr(b.right, acc.ctx)
            : { expr: yield this.id(b.right, acc.ctx, true), ctx: acc.ctx };
          acc = { expr: { kind: b.op, left: acc.expr, right: right.expr, span: b.span }, ctx: right.ctx };
        }
        return acc;
      }
      case 'not': {
        const inner: Resolved = yield this.expr(n.operand, ctx);
        return { expr: { kind: 'not', operand: inner.expr, span: n.span }, ctx: inner.ctx };
      }
      case 'paren':
        return { expr: { ...((yield this.expr(n.inner, ctx)) as Resolved).expr, span: n.span }, ctx };
      case 'prim': {
        const q = n.head.q;
        // the id right after the head is "the primitive": its span covers the qualifiers too
        const expr: Expr = n.id.t === 'id' ? this.leafId(n.id, q, false, n.span) : yield this.id(n.id, q, false);
        return { expr, ctx: q };
      }
      case 'leaf':
        return { expr: n.expr, ctx: null };
      case 'relation':
        return {
          expr: { kind: 'relation', op: n.op, left: this.arith(n.left), right: this.arith(n.right), span: n.span },
          ctx: null,
        };
      case 'empty':
        return { expr: { kind: 'empty', span: { start: 0, end: this.expression.length } }, ctx: null };
    }
  }

  /** An id, or a `not`/parenthesised/and-or combination of ids, all taking the qualifiers `ctx`. */
  *id(n: CId, ctx: Context, inherited: boolean): Walk<Expr> {
    switch (n.t) {
      case 'id':
        return this.leafId(n, ctx, inherited, n.span);
      case 'notId':
        return { kind: 'not', operand: yield this.id(n.operand, ctx, inherited), span: n.span };
      case 'idBin': {
        const spine: Array<Extract<CId, { t: 'idBin' }>> = [];
        let first: CId = n;
        for (; first.t === 'idBin'; first = first.left) spine.push(first);
        let acc: Expr = yield this.id(first, ctx, inherited);
        for (const b of spine.reverse()) {
          acc = { kind: b.op, left: acc, right: yield this.id(b.right, ctx, inherited), span: b.span };
        }
        return acc;
      }
      case 'parenId':
        return { ...((yield this.id(n.inner, ctx, inherited)) as Expr), span: n.span };
    }
  }

  leafId(n: Extract<CId, { t: 'id' }>, ctx: Context, inherited: boolean, span: Span): IdPrimitive {
    if (ctx === null) {
      throw new FilterSyntaxError(
        `'${n.id.text}' has no qualifiers: the primitive before it has none to pass on (write e.g. 'host ${n.id.text}')`,
        this.expression, n.span,
      );
    }
    return { kind: 'id', q: { ...ctx }, id: n.id, inherited, span, idSpan: n.span };
  }

  arith(list: CArith): Arith {
    try {
      return buildArith(list);
    } catch (e) {
      if (e instanceof ArithError) throw new FilterSyntaxError(e.message, this.expression, e.span);
      throw e;
    }
  }
}

/** The AST of a parse tree of `expression`; throws FilterSyntaxError for the refusals above. */
export function resolve(tree: CExpr, expression: string): Expr {
  return run(new Resolver(expression).expr(tree, null)).expr;
}
