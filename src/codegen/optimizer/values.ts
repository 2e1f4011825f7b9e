// Value numbering of the cBPF machine state. A value number (vn) names one run-time value:
// a constant, a packet load, an ALU result over other values, or an "opaque" value (whatever a
// register held where control-flow paths with different values merge). Packet contents do not
// change while a filter runs, so two places holding the same vn hold the same value on any path
// that reaches both. Atoms are the 18 storage cells: A, X and the scratch words M[0..15].
import {
  BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_B, BPF_CLASS, BPF_DIV, BPF_H, BPF_IMM, BPF_IND, BPF_K, BPF_LD,
  BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MEMWORDS, BPF_MISC, BPF_MISCOP, BPF_MOD, BPF_MODE, BPF_MSH,
  BPF_MUL, BPF_NEG, BPF_OP, BPF_OR, BPF_RSH, BPF_SIZE, BPF_SRC, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_W,
  BPF_X, BPF_XOR, SKF_AD_OFF, type Insn,
} from '../../cbpf/insn.js';

export const A_ATOM = 0;
export const X_ATOM = 1;
export const memAtom = (k: number): number => 2 + k;
export const N_ATOMS = 2 + BPF_MEMWORDS;
export type Vn = number;
/** Machine state: one vn per atom. */
export type State = Vn[];

/** How a vn was computed, enough to compute it again (set lowering rematerialises loads). */
export type VnDef =
  | { kind: 'const'; value: number }
  | { kind: 'abs'; size: number; k: number }
  | { kind: 'ind'; size: number; x: Vn; k: number }
  | { kind: 'msh'; k: number }
  | { kind: 'len' }
  | { kind: 'alu'; op: number; a: Vn; b: Vn }
  | { kind: 'opaque' };

const OPAQUE: VnDef = { kind: 'opaque' };

export const COMMUTATIVE = new Set([BPF_ADD, BPF_MUL, BPF_AND, BPF_OR, BPF_XOR]);

/** Bytes a load of this size reads. */
export function loadBytes(code: number): number {
  const size = BPF_SIZE(code);
  return size === BPF_W ? 4 : size === BPF_H ? 2 : size === BPF_B ? 1 : 0;
}

/** Hash-consed value numbers; one table per optimizer pass (numbers stay below 2^22). */
export class ValueTable {
  // numeric keys: string keys would dominate the running time on big programs
  private readonly consts = new Map<number, Vn>();
  private readonly loads = new Map<number, Vn>();
  private readonly indexed = new Map<string, Vn>();
  private readonly alus = new Map<number, Vn>();
  readonly defs: VnDef[] = [];

  private intern<K>(map: Map<K, Vn>, key: K, def: VnDef): Vn {
    let vn = map.get(key);
    if (vn === undefined) {
      vn = this.defs.length;
      this.defs.push(def);
      map.set(key, vn);
    }
    return vn;
  }

  konst(value: number): Vn {
    value >>>= 0;
    return this.intern(this.consts, value, { kind: 'const', value });
  }

  constValue(vn: Vn): number | undefined {
    const d = this.defs[vn];
    return d.kind === 'const' ? d.value : undefined;
  }

  opaque(): Vn {
    this.defs.push(OPAQUE);
    return this.defs.length - 1;
  }

  abs(size: number, k: number): Vn {
    return this.intern(this.loads, size * 0x100000000 + k, { kind: 'abs', size, k });
  }

  ind(size: number, x: Vn, k: number): Vn {
    return this.intern(this.indexed, `${size}:${x}:${k}`, { kind: 'ind', size, x, k });
  }

  msh(k: number): Vn {
    return this.intern(this.loads, 0xff * 0x100000000 + k, { kind: 'msh', k });
  }

  len(): Vn {
    return this.intern(this.loads, 0xfe * 0x100000000, { kind: 'len' });
  }

  alu(op: number, a: Vn, b: Vn): Vn {
    if (COMMUTATIVE.has(op) && b < a) [a, b] = [b, a];
    return this.intern(this.alus, (op * 0x400000 + a) * 0x400000 + b, { kind: 'alu', op, a, b });
  }

  freshState(): State {
    return Array.from({ length: N_ATOMS }, () => this.opaque());
  }
}

/** Constant folding of one ALU operation; undefined for division by zero (the filter then returns 0). */
export function foldAlu(op: number, a: number, b: number): number | undefined {
  switch (op) {
    case BPF_ADD: return (a + b) >>> 0;
    case BPF_SUB: return (a - b) >>> 0;
    case BPF_MUL: return Math.imul(a, b) >>> 0;
    case BPF_DIV: return b === 0 ? undefined : Math.floor(a / b) >>> 0;
    case BPF_MOD: return b === 0 ? undefined : a % b >>> 0;
    case BPF_OR: return (a | b) >>> 0;
    case BPF_AND: return (a & b) >>> 0;
    case BPF_XOR: return (a ^ b) >>> 0;
    // cBPF interpreters shift by the low bits or by the full amount; only fold what all agree on
    case BPF_LSH: return b < 32 ? (a << b) >>> 0 : undefined;
    case BPF_RSH: return b < 32 ? a >>> b : undefined;
    case BPF_NEG: return -a >>> 0;
    default: return undefined;
  }
}

/** `ld #value` or `ldx #value`. */
export function immLoad(dest: number, value: number): Insn {
  return { code: (dest === X_ATOM ? BPF_LDX : BPF_LD) | BPF_IMM, jt: 0, jf: 0, k: value >>> 0 };
}

// evalStmt runs for every statement of every pass: one result object, reused, keeps the garbage
// collector out of the way. Callers read it before the next call.
const scratch: StmtEffect = { dest: 0, vn: 0, mayFault: false, insn: { code: 0, jt: 0, jf: 0, k: 0 } };

function effect(dest: number, vn: Vn, mayFault: boolean, insn: Insn): StmtEffect {
  scratch.dest = dest;
  scratch.vn = vn;
  scratch.mayFault = mayFault;
  scratch.insn = insn;
  return scratch;
}

/** Result of running one statement symbolically (the same object every call: read it at once). */
export interface StmtEffect {
  /** atom written */
  dest: number;
  /** value written */
  vn: Vn;
  /** the statement may end the filter with 0 (out-of-bounds load, division by zero) */
  mayFault: boolean;
  /** an equivalent, possibly cheaper statement (same dest, same value, same fault behaviour) */
  insn: Insn;
}

/** Atoms a statement reads (bit mask). */
export function stmtUses(s: Insn): number {
  const cls = BPF_CLASS(s.code);
  switch (cls) {
    case BPF_LD:
      return BPF_MODE(s.code) === BPF_IND ? 1 << X_ATOM : BPF_MODE(s.code) === BPF_MEM ? 1 << memAtom(s.k & 15) : 0;
    case BPF_LDX:
      return BPF_MODE(s.code) === BPF_MEM ? 1 << memAtom(s.k & 15) : 0;
    case BPF_ST: return 1 << A_ATOM;
    case BPF_STX: return 1 << X_ATOM;
    case BPF_ALU:
      return (1 << A_ATOM) | (BPF_OP(s.code) !== BPF_NEG && BPF_SRC(s.code) === BPF_X ? 1 << X_ATOM : 0);
    case BPF_MISC: return BPF_MISCOP(s.code) === BPF_TAX ? 1 << A_ATOM : 1 << X_ATOM;
    default: return 0;
  }
}

/** Atom a statement writes. */
export function stmtDef(s: Insn): number {
  switch (BPF_CLASS(s.code)) {
    case BPF_LDX: return X_ATOM;
    case BPF_ST:
    case BPF_STX: return memAtom(s.k & 15);
    case BPF_MISC: return BPF_MISCOP(s.code) === BPF_TAX ? X_ATOM : A_ATOM;
    default: return A_ATOM;
  }
}

/** Bytes of the packet a statement reads at a fixed offset, as [start, end), or undefined. */
export function fixedLoadExtent(s: Insn): [number, number] | undefined {
  const mode = BPF_MODE(s.code);
  if (BPF_CLASS(s.code) === BPF_LD && mode === BPF_ABS && s.k < SKF_AD_OFF) return [s.k, s.k + loadBytes(s.code)];
  if (BPF_CLASS(s.code) === BPF_LDX && mode === BPF_MSH) return [s.k, s.k + 1];
  return undefined;
}

/**
 * Run statement `s` on `state` (not modified). `extent`: bytes [0, extent) are known to be in the
 * packet here, so fixed-offset loads inside cannot fault.
 */
export function evalStmt(vt: ValueTable, state: State, s: Insn, extent: number): StmtEffect {
  const cls = BPF_CLASS(s.code);
  const dest = stmtDef(s);
  switch (cls) {
    case BPF_LD:
    case BPF_LDX: {
      const mode = BPF_MODE(s.code);
      const size = BPF_SIZE(s.code);
      if (mode === BPF_IMM) return effect(dest, vt.konst(s.k), false, s);
      if (mode === BPF_LEN) return effect(dest, vt.len(), false, s);
      if (mode === BPF_MEM) {
        const vn = state[memAtom(s.k & 15)];
        const c = vt.constValue(vn);
        return effect(dest, vn, false, c === undefined ? s : immLoad(dest, c));
      }
      if (mode === BPF_MSH) return effect(dest, vt.msh(s.k), s.k + 1 > extent, s);
      if (mode === BPF_ABS) {
        const ancillary = s.k >= SKF_AD_OFF;
        return effect(dest, vt.abs(size, s.k), !ancillary && s.k + loadBytes(s.code) > extent, s);
      }
      // BPF_IND: with a known X it is an absolute load
      const xc = vt.constValue(state[X_ATOM]);
      if (xc !== undefined && xc + s.k < 0x10000000) {
        const k = xc + s.k;
        const insn = { code: BPF_LD | size | BPF_ABS, jt: 0, jf: 0, k };
        return effect(dest, vt.abs(size, k), k + loadBytes(s.code) > extent, insn);
      }
      return effect(dest, vt.ind(size, state[X_ATOM], s.k), true, s);
    }
    case BPF_ST:
      return effect(dest, state[A_ATOM], false, s);
    case BPF_STX:
      return effect(dest, state[X_ATOM], false, s);
    case BPF_MISC:
      return effect(dest, state[BPF_MISCOP(s.code) === BPF_TAX ? A_ATOM : X_ATOM], false, s);
    case BPF_ALU:
      return evalAlu(vt, state, s);
    default:
      throw new Error(`not a statement: code 0x${s.code.toString(16)}`);
  }
}

function evalAlu(vt: ValueTable, state: State, s: Insn): StmtEffect {
  const op = BPF_OP(s.code);
  const a = state[A_ATOM];
  const ac = vt.constValue(a);
  if (op === BPF_NEG) {
    const vn = ac === undefined ? vt.alu(op, a, a) : vt.konst(-ac);
    return effect(A_ATOM, vn, false, s);
  }
  const b = BPF_SRC(s.code) === BPF_X ? state[X_ATOM] : vt.konst(s.k);
  const bc = vt.constValue(b);
  const divides = op === BPF_DIV || op === BPF_MOD;
  // an X operand with a known value becomes an immediate
  const insn = bc !== undefined && BPF_SRC(s.code) === BPF_X && !(divides && bc === 0)
    ? { code: BPF_ALU | op | BPF_K, jt: 0, jf: 0, k: bc }
    : s;
  const mayFault = divides && (bc === undefined || bc === 0);
  if (ac !== undefined && bc !== undefined) {
    const folded = foldAlu(op, ac, bc);
    if (folded !== undefined) return effect(A_ATOM, vt.konst(folded), false, insn);
  }
  if (bc !== undefined) {
    const identity =
      (bc === 0 && (op === BPF_ADD || op === BPF_SUB || op === BPF_OR || op === BPF_XOR || op === BPF_LSH || op === BPF_RSH)) ||
      (bc === 1 && (op === BPF_MUL || op === BPF_DIV)) ||
      (bc === 0xffffffff && op === BPF_AND);
    if (identity) return effect(A_ATOM, a, false, insn);
    if (bc === 0 && (op === BPF_MUL || op === BPF_AND)) return effect(A_ATOM, vt.konst(0), false, insn);
  }
  return effect(A_ATOM, vt.alu(op, a, b), mayFault, insn);
}
