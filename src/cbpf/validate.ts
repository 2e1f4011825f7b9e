// Static checks on a classic BPF program: what libpcap's bpf_validate() (master) and the Linux classic
// checker (sk_chk_filter / bpf_check_classic + check_load_and_stores) refuse.

import {
  BPF_ALU,
  BPF_CLASS,
  BPF_DIV,
  BPF_JA,
  BPF_JMP,
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_LSH,
  BPF_MAXINSNS,
  BPF_MEM,
  BPF_MEMWORDS,
  BPF_MOD,
  BPF_RET,
  BPF_RSH,
  BPF_ST,
  BPF_STX,
  BPF_ABS,
  BPF_B,
  BPF_H,
  BPF_W,
  SKF_AD_OFF,
  type Insn,
} from './insn.js';
import { ANCILLARY_NAMES, MNEMONICS } from './mnemonics.js';

/** The longest program libpcap's interpreter and validator accept (libpcap's own BPF_MAXINSNS). */
export const LIBPCAP_MAXINSNS = 3_060_000;

export type CbpfRule =
  | 'empty-program'
  | 'too-long'
  | 'bad-field'
  | 'unknown-opcode'
  | 'jump-out-of-range'
  | 'infinite-loop'
  | 'backward-jump'
  | 'scratch-index'
  | 'division-by-zero'
  | 'shift-too-large'
  | 'last-not-ret'
  | 'unknown-ancillary'
  | 'scratch-read-before-write';

export interface CbpfViolation {
  /** Instruction index, or -1 for the program as a whole (empty, too long). */
  index: number;
  rule: CbpfRule;
  message: string;
  /** True when libpcap's bpf_validate() refuses it; false when only the Linux kernel does. */
  libpcap: boolean;
  /** True when the Linux kernel refuses it (SO_ATTACH_FILTER fails with EINVAL). */
  kernel: boolean;
}

/** Thrown by assertValidCbpf; carries every violation found. */
export class CbpfValidationError extends Error {
  override readonly name = 'CbpfValidationError';
  constructor(readonly violations: readonly CbpfViolation[]) {
    super(`invalid classic BPF program: ${violations.map(describe).join('; ')}`);
  }
}

export interface ValidateOptions {
  /** Check only what libpcap refuses (a program for the userland interpreter, e.g. with protochain's backward jump). */
  libpcapOnly?: boolean;
}

/** Every rule the program breaks, in instruction order. An empty list means both libpcap and Linux accept it. */
export function validateCbpf(program: readonly Insn[], options: ValidateOptions = {}): CbpfViolation[] {
  const out: CbpfViolation[] = [];
  const add = (index: number, rule: CbpfRule, message: string, libpcap = true): void => {
    out.push({ index, rule, message, libpcap, kernel: true });
  };
  const len = program.length;
  if (len === 0) add(-1, 'empty-program', 'the program has no instructions');
  if (len > LIBPCAP_MAXINSNS) add(-1, 'too-long', `${len} instructions; libpcap takes at most ${LIBPCAP_MAXINSNS}`);
  else if (len > BPF_MAXINSNS) {
    add(-1, 'too-long', `${len} instructions; the Linux kernel takes at most ${BPF_MAXINSNS}`, false);
  }
  program.forEach((insn, i) => {
    if (!wellFormed(insn)) {
      add(i, 'bad-field', 'code must be u16, jt and jf u8, k u32');
      return;
    }
    const { code, k } = insn;
    if (!KNOWN_OPCODES.has(code)) {
      add(i, 'unknown-opcode', `unknown opcode 0x${code.toString(16)}`);
      return;
    }
    const cls = BPF_CLASS(code);
    if (cls === BPF_ST || cls === BPF_STX || ((cls === BPF_LD || cls === BPF_LDX) && (code & 0xe0) === BPF_MEM)) {
      if (k >= BPF_MEMWORDS) add(i, 'scratch-index', `scratch memory index ${k} is not below ${BPF_MEMWORDS}`);
    }
    if (code === (BPF_ALU | BPF_DIV | BPF_K) || code === (BPF_ALU | BPF_MOD | BPF_K)) {
      if (k === 0) add(i, 'division-by-zero', 'division or modulo by the constant 0');
    }
    if (code === (BPF_ALU | BPF_LSH | BPF_K) || code === (BPF_ALU | BPF_RSH | BPF_K)) {
      if (k >= 32) add(i, 'shift-too-large', `shift by the constant ${k} (at most 31)`);
    }
    if (ABS_LOADS.has(code) && k >= SKF_AD_OFF && !ANCILLARY_NAMES.has(k - SKF_AD_OFF)) {
      add(i, 'unknown-ancillary', `load from ${k | 0}: not a Linux ancillary offset`, false);
    }
    if (cls === BPF_JMP) checkJump(insn, i, len, add);
  });
  if (len > 0 && wellFormed(program[len - 1]) && BPF_CLASS(program[len - 1].code) !== BPF_RET) {
    add(len - 1, 'last-not-ret', 'the last instruction is not a return');
  }
  // The kernel runs its scratch-memory check only on programs that pass the others; it needs in-range
  // forward jumps and slot numbers below 16.
  if (!out.some((v) => FLOW_BLOCKERS.has(v.rule))) {
    scratchReadsBeforeWrites(program).forEach((i) =>
      add(i, 'scratch-read-before-write', `M[${program[i].k}] may be read before any write to it`, false),
    );
  }
  out.sort((a, b) => a.index - b.index);
  return options.libpcapOnly ? out.filter((v) => v.libpcap) : out;
}

/** Throw a CbpfValidationError when validateCbpf finds anything. */
export function assertValidCbpf(program: readonly Insn[], options: ValidateOptions = {}): void {
  const violations = validateCbpf(program, options);
  if (violations.length > 0) throw new CbpfValidationError(violations);
}

function describe(v: CbpfViolation): string {
  const where = v.index < 0 ? 'program' : `instruction ${v.index}`;
  return `${where}: ${v.rule} (${v.message}; refused by ${v.libpcap ? 'libpcap and Linux' : 'Linux only'})`;
}

/** The opcodes both checkers know: the set bpf_image names plus `ldx #pktlen`. */
const KNOWN_OPCODES: ReadonlySet<number> = new Set(MNEMONICS.map((m) => m.code));
const FLOW_BLOCKERS: ReadonlySet<CbpfRule> = new Set<CbpfRule>([
  'bad-field',
  'unknown-opcode',
  'jump-out-of-range',
  'infinite-loop',
  'backward-jump',
  'scratch-index',
]);
const ABS_LOADS: ReadonlySet<number> = new Set([BPF_W, BPF_H, BPF_B].map((size) => BPF_LD | size | BPF_ABS));

function wellFormed(insn: Insn | undefined): insn is Insn {
  return (
    typeof insn === 'object' &&
    insn !== null &&
    isUint(insn.code, 0xffff) &&
    isUint(insn.jt, 0xff) &&
    isUint(insn.jf, 0xff) &&
    isUint(insn.k, 0xffffffff)
  );
}

function isUint(n: unknown, max: number): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max;
}

/** Checks one jump's targets. */
function checkJump(
  insn: Insn,
  i: number,
  len: number,
  add: (index: number, rule: CbpfRule, message: string, libpcap?: boolean) => void,
): void {
  if ((insn.code & 0xf0) === BPF_JA) {
    const target = i + 1 + (insn.k | 0);
    if (target < 0 || target >= len) {
      add(i, 'jump-out-of-range', `ja to ${target}, outside 0..${len - 1}`);
    } else if (target === i) add(i, 'infinite-loop', 'ja jumps to itself');
    else if (target < i) add(i, 'backward-jump', `ja back to ${target}: libpcap runs it, Linux refuses it`, false);
    return;
  }
  const far = i + 1 + Math.max(insn.jt, insn.jf);
  if (far >= len) add(i, 'jump-out-of-range', `jump to ${far}, outside 0..${len - 1}`);
}

/**
 * Indexes of scratch loads that may run before a store to the same slot, as Linux's
 * check_load_and_stores computes it: a slot is written on a path when every jump into an
 * instruction comes with it written.
 */
function scratchReadsBeforeWrites(program: readonly Insn[]): number[] {
  const all = 0xffff;
  const masks = new Array<number>(program.length).fill(all);
  const bad: number[] = [];
  let valid = 0;
  program.forEach((insn, pc) => {
    valid &= masks[pc];
    const cls = BPF_CLASS(insn.code);
    if (cls === BPF_ST || cls === BPF_STX) valid |= 1 << insn.k;
    else if ((cls === BPF_LD || cls === BPF_LDX) && (insn.code & 0xe0) === BPF_MEM) {
      if (!(valid & (1 << insn.k))) bad.push(pc);
    } else if (cls === BPF_JMP && KNOWN_OPCODES.has(insn.code)) {
      if ((insn.code & 0xf0) === BPF_JA) masks[pc + 1 + insn.k] &= valid;
      else {
        masks[pc + 1 + insn.jt] &= valid;
        masks[pc + 1 + insn.jf] &= valid;
      }
      valid = all;
    }
  });
  return bad;
}
