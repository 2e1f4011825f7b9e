// What the branches taken so far tell about one value: an interval, excluded constants, known
// one bits and known zero bits, and exact outcomes of comparisons against other values (X).
// Facts are immutable; refining returns a new object.
import { BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JSET } from '../../cbpf/insn.js';
import type { Vn } from './values.js';

export interface Facts {
  lo: number;
  hi: number;
  /** constants the value is known to differ from (capped) */
  ne: readonly number[];
  ones: number;
  zeros: number;
  /** masks m with (value & m) != 0 known */
  anyOf: readonly number[];
  /** outcomes of comparisons against non-constant values: key `${op}:${vn}` */
  vsValue: ReadonlyMap<string, boolean>;
}

const MAX_LIST = 16;

/** One shape for every Facts object (object spreads would be slow on big programs). */
function facts(f: Facts, changes: Partial<Facts>): Facts {
  return {
    lo: changes.lo ?? f.lo,
    hi: changes.hi ?? f.hi,
    ne: changes.ne ?? f.ne,
    ones: changes.ones ?? f.ones,
    zeros: changes.zeros ?? f.zeros,
    anyOf: changes.anyOf ?? f.anyOf,
    vsValue: changes.vsValue ?? f.vsValue,
  };
}

export const NO_FACTS: Facts = { lo: 0, hi: 0xffffffff, ne: [], ones: 0, zeros: 0, anyOf: [], vsValue: new Map() };

/** Outcome of `value OP k` given the facts, or undefined when unknown. */
export function decideConst(f: Facts, op: number, k: number): boolean | undefined {
  switch (op) {
    case BPF_JEQ:
      if (f.lo === f.hi) return f.lo === k;
      if (k < f.lo || k > f.hi || f.ne.includes(k)) return false;
      if ((k & f.zeros) !== 0 || (f.ones & ~k) !== 0) return false;
      if (f.anyOf.some((m) => (k & m) === 0)) return false;
      return undefined;
    case BPF_JGT:
      if (f.lo > k) return true;
      if (f.hi <= k) return false;
      return undefined;
    case BPF_JGE:
      if (f.lo >= k) return true;
      if (f.hi < k) return false;
      return undefined;
    case BPF_JSET:
      if (f.lo === f.hi) return (f.lo & k) !== 0;
      if ((k & f.ones) !== 0) return true;
      if ((k & ~f.zeros) === 0) return false;
      if (f.anyOf.some((m) => (m & ~k) === 0)) return true;
      return undefined;
    default:
      return undefined;
  }
}

/** Outcome of `value OP other` for a non-constant other value. */
export function decideValue(f: Facts, op: number, other: Vn): boolean | undefined {
  return f.vsValue.get(`${op}:${other}`);
}

const capped = (xs: readonly number[], x: number): readonly number[] =>
  xs.includes(x) ? xs : xs.length >= MAX_LIST ? xs : [...xs, x];

/** Facts after learning that `value OP k` is `outcome`. */
export function refineConst(f: Facts, op: number, k: number, outcome: boolean): Facts {
  k >>>= 0;
  switch (op) {
    case BPF_JEQ:
      return outcome ? facts(f, { lo: k, hi: k }) : facts(f, { ne: capped(f.ne, k) });
    case BPF_JGT:
      return outcome ? (k === 0xffffffff ? f : facts(f, { lo: Math.max(f.lo, k + 1) })) : facts(f, { hi: Math.min(f.hi, k) });
    case BPF_JGE:
      return outcome ? facts(f, { lo: Math.max(f.lo, k) }) : k === 0 ? f : facts(f, { hi: Math.min(f.hi, k - 1) });
    case BPF_JSET:
      if (!outcome) return facts(f, { zeros: (f.zeros | k) >>> 0 });
      if (k !== 0 && (k & (k - 1)) === 0) return facts(f, { ones: (f.ones | k) >>> 0 });
      return facts(f, { anyOf: capped(f.anyOf, k) });
    default:
      return f;
  }
}

export function refineValue(f: Facts, op: number, other: Vn, outcome: boolean): Facts {
  const vsValue = new Map(f.vsValue);
  vsValue.set(`${op}:${other}`, outcome);
  return facts(f, { vsValue });
}
