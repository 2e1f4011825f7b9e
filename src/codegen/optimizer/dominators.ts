// Dominator tree of an acyclic block graph given in topological order, and an index of the
// branch facts that hold on entry to each block because a dominating branch edge was taken.
import { NO_FACTS, refineConst, refineValue, type Facts } from './facts.js';
import type { Vn } from './values.js';

export interface Dominators {
  /** immediate dominator index, -1 for the root */
  idom: Int32Array;
  /** pre-order number and end of the subtree interval [pre, post) in the dominator tree */
  pre: Int32Array;
  post: Int32Array;
}

/** `preds[i]`: indices of the predecessors of block i; blocks in topological order, 0 is the root. */
export function dominators(preds: readonly number[][]): Dominators {
  const n = preds.length;
  let log = 1;
  while (1 << log < n) log++;
  // up[j * n + v]: 2^j-th dominator-tree ancestor of v (binary lifting keeps LCA logarithmic)
  const up = new Int32Array(log * n);
  const depth = new Int32Array(n);
  const idom = new Int32Array(n).fill(-1);
  const lca = (a: number, b: number): number => {
    if (depth[a] < depth[b]) [a, b] = [b, a];
    let d = depth[a] - depth[b];
    for (let j = 0; d; j++, d >>= 1) if (d & 1) a = up[j * n + a];
    if (a === b) return a;
    for (let j = log - 1; j >= 0; j--) {
      if (up[j * n + a] !== up[j * n + b]) {
        a = up[j * n + a];
        b = up[j * n + b];
      }
    }
    return up[a];
  };
  for (let v = 1; v < n; v++) {
    let d = -1;
    for (const p of preds[v]) d = d < 0 ? p : lca(d, p);
    idom[v] = d;
    depth[v] = depth[d] + 1;
    up[v] = d;
    for (let j = 1; j < log; j++) up[j * n + v] = up[(j - 1) * n + up[(j - 1) * n + v]];
  }
  // children lists in one array (CSR), then an iterative pre-order walk
  const first = new Int32Array(n + 1);
  for (let v = 1; v < n; v++) first[idom[v] + 1]++;
  for (let v = 0; v < n; v++) first[v + 1] += first[v];
  const fill = first.slice(0, n);
  const children = new Int32Array(Math.max(n - 1, 0));
  for (let v = 1; v < n; v++) children[fill[idom[v]]++] = v;
  const pre = new Int32Array(n);
  const post = new Int32Array(n);
  const next = first.slice(0, n);
  const stack = new Int32Array(n);
  let top = 0;
  let counter = 0;
  stack[0] = 0;
  pre[0] = counter++;
  while (top >= 0) {
    const v = stack[top];
    if (next[v] < first[v + 1]) {
      const c = children[next[v]++];
      pre[c] = counter++;
      stack[++top] = c;
    } else {
      post[v] = counter;
      top--;
    }
  }
  return { idom, pre, post };
}

/** A branch outcome learnt on entering a block: `vn OP k` (or `vn OP other`) is `outcome`. */
export interface EntryFact {
  vn: Vn;
  op: number;
  k: number;
  /** the other operand's vn for comparisons against X, else undefined */
  other: Vn | undefined;
  outcome: boolean;
}

interface Node {
  pre: number;
  post: number;
  fact: EntryFact;
  /** facts with all enclosing nodes applied, computed on first use */
  facts: Facts | undefined;
  /** up[j]: the 2^j-th enclosing node of the same vn (binary lifting: queries stay logarithmic) */
  up: Node[];
}

/**
 * For each vn, the facts learnt at dominating entries, queryable at any block: each fact node
 * covers its block's dominator subtree; nodes of one vn form a laminar family sorted by pre.
 */
export class FactIndex {
  private readonly byVn = new Map<Vn, Node[]>();

  constructor(
    private readonly dom: Dominators,
    entryFacts: readonly (EntryFact | undefined)[],
  ) {
    const n = entryFacts.length;
    const byPre = new Int32Array(n);
    for (let v = 0; v < n; v++) byPre[dom.pre[v]] = v;
    // walk blocks in dominator pre-order, keeping the innermost node per vn on a stack
    const scope = new Map<Vn, Node>();
    const restore: { vn: Vn; node: Node | undefined; post: number }[] = [];
    for (let i = 0; i < n; i++) {
      const v = byPre[i];
      while (restore.length && restore[restore.length - 1].post <= i) {
        const r = restore.pop()!;
        if (r.node) scope.set(r.vn, r.node);
        else scope.delete(r.vn);
      }
      const f = entryFacts[v];
      if (!f) continue;
      const parent = scope.get(f.vn);
      const up: Node[] = [];
      for (let a = parent; a; a = a.up[up.length - 1]) {
        up.push(a);
        if (a.up.length < up.length) break;
      }
      const node: Node = { pre: dom.pre[v], post: dom.post[v], fact: f, facts: undefined, up };
      let list = this.byVn.get(f.vn);
      if (!list) this.byVn.set(f.vn, (list = []));
      list.push(node);
      scope.set(f.vn, node);
      restore.push({ vn: f.vn, node: parent, post: dom.post[v] });
    }
  }

  /** Facts about `vn` on entry to block `v`. */
  at(v: number, vn: Vn): Facts {
    const list = this.byVn.get(vn);
    if (!list) return NO_FACTS;
    const p = this.dom.pre[v];
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].pre <= p) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return NO_FACTS;
    let node = list[found];
    if (node.post > p) return factsOf(node);
    // climb to the last ancestor that still ends at or before p; its parent encloses p
    for (let j = node.up.length - 1; j >= 0; j--) {
      const a = node.up[j];
      if (a && a.post <= p) node = a;
    }
    const parent = node.up[0];
    return parent && parent.post > p ? factsOf(parent) : NO_FACTS;
  }
}

function factsOf(node: Node): Facts {
  const pending: Node[] = [];
  for (let n: Node | undefined = node; n && !n.facts; n = n.up[0]) pending.push(n);
  for (let i = pending.length - 1; i >= 0; i--) {
    const n = pending[i];
    const base = n.up[0]?.facts ?? NO_FACTS;
    const f = n.fact;
    n.facts = f.other === undefined ? refineConst(base, f.op, f.k, f.outcome) : refineValue(base, f.op, f.other, f.outcome);
  }
  return node.facts!;
}
