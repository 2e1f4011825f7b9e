// Set lowering. A chain of `jeq #k` blocks whose true edges all go to one target T and whose
// false edges run from one block to the next (after value numbering, `host A or host B ...` and
// `port 1 or port 2 ...` become such chains, alternating between a few loaded values) is a
// disjunction of set memberships. Once the chain has loaded every byte its tests read (the
// "prefix", kept as it is so short packets still fail where they did), the remaining tests cannot
// fault and may be regrouped: per tested value, one load and a balanced binary search over its
// constants (jgt splits, short jeq runs as leaves). With two tested values, the second is parked
// in a free scratch word, so chains of different protocols that test the same constants share
// their search trees when identical blocks are merged afterwards.
import {
  BPF_ABS, BPF_ALU, BPF_B, BPF_CLASS, BPF_IND, BPF_JEQ, BPF_JGT, BPF_JMP, BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_MEM,
  BPF_MEMWORDS, BPF_MODE, BPF_MSH, BPF_NEG, BPF_RVAL, BPF_ST, BPF_STX, BPF_W, type Insn,
} from '../../cbpf/insn.js';
import { JA, isRet, type Block } from './cfg.js';
import type { Graph } from './numbering.js';
import { A_ATOM, X_ATOM, COMMUTATIVE, type ValueTable, evalStmt, fixedLoadExtent, memAtom, stmtDef, type Vn } from './values.js';

/** Longest run of `jeq` at a leaf of a search tree. */
const LEAF = 3;
/** Sets at least this big are searched even when that costs instructions. */
const SEARCH_MIN = 16;

const isJeqK = (b: Block): boolean => b.code === (BPF_JMP | BPF_JEQ | BPF_K);

/**
 * Rewrites every chain worth it (in place; `g` and `liveIn` must describe the graph as it is, right
 * after value numbering and dead-statement removal). Returns whether something changed; the graph
 * analysis is stale then. `onlyBig`: only chains with a set of at least SEARCH_MIN constants.
 */
export function lowerSets(vt: ValueTable, g: Graph, liveIn: number[], onlyBig = false): boolean {
  const slot = freeSlot(g.order);
  const inChain = new Set<Block>();
  let changed = false;
  for (const b of g.order) {
    if (inChain.has(b) || !isJeqK(b)) continue;
    const chain = [b];
    for (let c = b.jf!; isJeqK(c) && c.jt === b.jt && g.preds[c.id].length === 1 && !inChain.has(c); c = c.jf!) {
      chain.push(c);
    }
    chain.forEach((c) => inChain.add(c));
    if (chain.length >= (onlyBig ? SEARCH_MIN : 3) && lowerChain(vt, g, liveIn, chain, slot, onlyBig)) changed = true;
  }
  return changed;
}

/** A scratch word no statement uses, or undefined. */
function freeSlot(order: Block[]): number | undefined {
  const used = new Set<number>();
  for (const b of order) {
    for (const s of b.stmts) {
      const cls = BPF_CLASS(s.code);
      if (cls === BPF_ST || cls === BPF_STX || ((cls === BPF_LD || cls === BPF_LDX) && BPF_MODE(s.code) === BPF_MEM)) used.add(s.k & 15);
    }
  }
  for (let k = BPF_MEMWORDS - 1; k >= 0; k--) if (!used.has(k)) return k;
  return undefined;
}

interface Group {
  vn: Vn;
  keys: number[];
}

function lowerChain(vt: ValueTable, g: Graph, liveIn: number[], chain: Block[], slot: number | undefined, onlyBig: boolean): boolean {
  const m = chain.length;
  const hit = chain[0].jt!;
  const miss = chain[m - 1].jf!;
  // per block: the bytes its fixed loads need, and where its indexed loads' values first appear
  const need: number[] = [];
  const firstSeen = new Map<Vn, number>();
  let minPrefix = 0;
  let otherFaults = false;
  const tested: Vn[] = [];
  let written = 0;
  chain.forEach((b, j) => {
    const i = b.id;
    const state = g.entry[i].slice();
    let end = 0;
    for (const s of b.stmts) {
      const eff = evalStmt(vt, state, s, Infinity);
      const ext = fixedLoadExtent(s);
      if (ext) end = Math.max(end, ext[1]);
      else if (eff.mayFault) {
        // an indexed load is safe once the same value was loaded earlier in the chain
        if (BPF_MODE(s.code) !== BPF_IND || BPF_CLASS(s.code) !== BPF_LD) {
          minPrefix = Math.max(minPrefix, j + 1);
          otherFaults = true;
        } else if (!firstSeen.has(eff.vn)) firstSeen.set(eff.vn, j);
      }
      state[eff.dest] = eff.vn;
      written |= 1 << eff.dest;
    }
    need.push(end);
    tested.push(g.exit[i][A_ATOM]);
  });
  for (const j of firstSeen.values()) minPrefix = Math.max(minPrefix, j + 1);
  // prefix length p: the first p blocks load everything the others read
  const suffixNeed = new Array<number>(m + 1).fill(0);
  for (let j = m - 1; j >= 0; j--) suffixNeed[j] = Math.max(suffixNeed[j + 1], need[j]);
  let extent = g.extentIn[chain[0].id];
  let p = 0;
  for (; p < m; p++) {
    if (p >= minPrefix && suffixNeed[p] <= extent) break;
    extent = Math.max(extent, need[p]);
  }
  // When a hit returns 0, a load running off the packet ends the same way as a hit: then the
  // whole chain can be regrouped as long as the regrouped loads fail exactly when some load did.
  const hitRejects = isRet(hit) && BPF_RVAL(hit.code) === BPF_K && hit.k === 0;
  if (hitRejects && !otherFaults && p > 0 && sameFaults(vt, new Set(tested), firstSeen, suffixNeed[0])) p = 0;
  if (m - p < 2) return false;
  const groups: Group[] = [];
  const byVn = new Map<Vn, Group>();
  for (let j = p; j < m; j++) {
    let grp = byVn.get(tested[j]);
    if (!grp) {
      grp = { vn: tested[j], keys: [] };
      byVn.set(tested[j], grp);
      groups.push(grp);
    }
    grp.keys.push(chain[j].k);
  }
  const big = groups.some((grp) => grp.keys.length >= SEARCH_MIN);
  if (onlyBig && !big) return false;
  // parking a value costs two instructions; it pays when it lets search trees be shared
  const useSlot = groups.length === 2 && slot !== undefined && big;
  // otherwise the value A holds on entry is searched first, with no load
  const inA = useSlot ? -1 : groups.findIndex((grp) => grp.vn === g.entry[chain[p].id][A_ATOM]);
  if (inA > 0) groups.unshift(...groups.splice(inA, 1));
  const materialized = groups.map((grp, i) => (i === 0 && inA >= 0 ? [] : materialize(vt, grp.vn)));
  if (materialized.some((l) => l === undefined)) return false;
  // (the slot form runs the second group's loads first)
  const loads = useSlot ? (materialized as Insn[][]) : reuseX(vt, materialized as Insn[][], g.entry[chain[p].id][X_ATOM]);
  for (const l of loads) for (const s of l) written |= 1 << stmtDef(s);
  if (useSlot) written |= 1 << memAtom(slot);
  const live = liveIn[hit.id] | liveIn[miss.id];
  if (live & written) return false;
  for (const grp of groups) grp.keys = [...new Set(grp.keys)].sort((a, b) => a - b);
  const oldCost = chain.slice(p).reduce((sum, b) => sum + b.stmts.length + 1, 0);
  const newCost = groups.reduce((sum, grp, i) => sum + loads[i].length + treeCost(grp.keys.length), 0);
  if (newCost > oldCost && !big) return false;

  let entry: Block;
  if (useSlot) {
    const [first, second] = groups;
    const secondTree = searchTree(second.keys, hit, miss);
    const reload: Block = gotoBlock([{ code: BPF_LD | BPF_MEM, jt: 0, jf: 0, k: slot }], secondTree);
    const firstTree = searchTree(first.keys, hit, reload);
    // the prefix's last test usually leaves the second value in A already
    const secondLoad = g.entry[chain[p].id][A_ATOM] === second.vn ? [] : loads[1];
    entry = gotoBlock([...secondLoad, { code: BPF_ST, jt: 0, jf: 0, k: slot }, ...loads[0]], firstTree);
  } else {
    entry = miss;
    for (let i = groups.length - 1; i >= 0; i--) entry = gotoBlock(loads[i], searchTree(groups[i].keys, hit, entry));
  }
  // the first regrouped block becomes the entry, so its predecessor needs no rewiring
  Object.assign(chain[p], { stmts: entry.stmts, code: entry.code, k: entry.k, jt: entry.jt, jf: entry.jf });
  return true;
}

/** Loading the tested values fails exactly when one of the chain's loads does. */
function sameFaults(vt: ValueTable, tested: Set<Vn>, indexed: Map<Vn, number>, fixedEnd: number): boolean {
  let end = 0;
  for (const vn of tested) {
    const l = materialize(vt, vn);
    if (!l) return false;
    for (const s of l) end = Math.max(end, fixedLoadExtent(s)?.[1] ?? 0);
  }
  return end === fixedEnd && [...indexed.keys()].every((vn) => tested.has(vn));
}

/**
 * The loads with every `ldxb` but the first dropped (all of them when X holds the value on entry),
 * when they all write X the same value.
 */
function reuseX(vt: ValueTable, loads: Insn[][], xOnEntry: Vn): Insn[][] {
  const writesX = loads.flat().filter((s) => stmtDef(s) === X_ATOM);
  if (!writesX.length) return loads;
  const x = vt.msh(writesX[0].k);
  if (!writesX.every((s) => BPF_MODE(s.code) === BPF_MSH && vt.msh(s.k) === x)) return loads;
  let held = x === xOnEntry;
  return loads.map((l) =>
    l.filter((s) => {
      if (stmtDef(s) !== X_ATOM) return true;
      const needed = !held;
      held = true;
      return needed;
    }),
  );
}

function gotoBlock(stmts: Insn[], target: Block): Block {
  return { stmts, code: JA, k: 0, jt: target, jf: target, id: -1, mark: 0 };
}

const splitCost = (n: number): number => (n <= LEAF ? n : splitCost(n >> 1) + splitCost(n - (n >> 1)) + 1);
const treeCost = (n: number): number => (n < SEARCH_MIN ? n : splitCost(n));

/** Balanced search for A in sorted `keys`: `jgt` splits, runs of up to LEAF `jeq` at the leaves; small sets are one run. */
function searchTree(keys: number[], hit: Block, miss: Block): Block {
  const leaf = keys.length < SEARCH_MIN ? keys.length : LEAF;
  const build = (lo: number, hi: number): Block => {
    if (hi - lo + 1 <= leaf) {
      let next = miss;
      for (let j = hi; j >= lo; j--) next = { stmts: [], code: BPF_JMP | BPF_JEQ | BPF_K, k: keys[j], jt: hit, jf: next, id: -1, mark: 0 };
      return next;
    }
    const mid = lo + ((hi - lo + 1) >> 1) - 1;
    return { stmts: [], code: BPF_JMP | BPF_JGT | BPF_K, k: keys[mid], jt: build(mid + 1, hi), jf: build(lo, mid), id: -1, mark: 0 };
  };
  return build(0, keys.length - 1);
}

/** Statements that compute `vn` into A from the packet alone (they may clobber X), or undefined. */
function materialize(vt: ValueTable, vn: Vn): Insn[] | undefined {
  const def = vt.defs[vn];
  const ld = (code: number, k: number): Insn => ({ code, jt: 0, jf: 0, k: k >>> 0 });
  switch (def.kind) {
    case 'abs':
      return [ld(BPF_LD | def.size | BPF_ABS, def.k)];
    case 'len':
      return [ld(BPF_LD | BPF_W | BPF_LEN, 0)];
    case 'ind': {
      const x = vt.defs[def.x];
      if (x.kind !== 'msh') return undefined;
      return [ld(BPF_LDX | BPF_B | BPF_MSH, x.k), ld(BPF_LD | def.size | BPF_IND, def.k)];
    }
    case 'alu': {
      // value numbering orders the operands of commutative operations, so the constant may be either
      const [c, operand] = vt.constValue(def.b) !== undefined ? [vt.constValue(def.b), def.a] : COMMUTATIVE.has(def.op) ? [vt.constValue(def.a), def.b] : [];
      if (c === undefined || operand === undefined || def.op === BPF_NEG) return undefined;
      const inner = materialize(vt, operand);
      return inner && [...inner, ld(BPF_ALU | def.op | BPF_K, c)];
    }
    default:
      return undefined;
  }
}

