// Print a program the way tcpdump does with -d (libpcap's bpf_image), -dd (C array) and -ddd (decimal).

import type { Insn } from './insn.js';
import { UNKNOWN_OP, ancillaryName, mnemonicOf, printsJumpTargets, type OperandKind } from './mnemonics.js';

/** Which tcpdump option's output to produce. */
export type DumpFormat = '-d' | '-dd' | '-ddd';

/**
 * Dialect of the `-d` listing:
 * - `tcpdump`: byte for byte what Debian tcpdump 4.99.3 / libpcap 1.10.3 prints (operand-less lines keep
 *   their padding spaces; `ldx #pktlen` is unknown to it and prints as `unimp 0x81`).
 * - `filtertest`: the lines of libpcap master's test suite (the conformance file): no trailing spaces,
 *   `ldx #pktlen` named.
 */
export type DumpStyle = 'tcpdump' | 'filtertest';

export interface DumpOptions {
  format?: DumpFormat;
  /** -d only; default `tcpdump`. */
  style?: DumpStyle;
  /** -d only: append libpcap master's `; 0x....` opcode comment (as filtertest's `_enumerate_bpf_image`). */
  opcodes?: boolean;
}

/** Column where the opcode comment's `;` lands minus one (the listing is padded to 49 characters). */
const OPCODE_COMMENT_PAD = 49;

/** One instruction as a `-d` line, without the newline. `index` is its position in the program. */
function formatInsn(insn: Insn, index: number, options: Omit<DumpOptions, 'format'> = {}): string {
  const style = options.style ?? 'tcpdump';
  const m = mnemonicOf(insn.code);
  const known = m !== undefined && (style === 'filtertest' || !m.afterLibpcap110);
  const op = known ? m.op : UNKNOWN_OP;
  const operand = known ? formatOperand(m.operand, insn, index) : `0x${insn.code.toString(16)}`;
  let line = `(${pad3(index)}) ${op.padEnd(8)} `;
  line += printsJumpTargets(insn.code)
    ? `${operand.padEnd(16)} jt ${index + 1 + insn.jt}\tjf ${index + 1 + insn.jf}`
    : operand;
  if (style === 'filtertest') line = line.trimEnd();
  if (options.opcodes) line = `${line.padEnd(OPCODE_COMMENT_PAD)} ; 0x${insn.code.toString(16).padStart(4, '0')}`;
  return line;
}

/** The program's listing as lines (no newlines), in the chosen format. */
export function formatLines(program: readonly Insn[], options: DumpOptions = {}): string[] {
  switch (options.format ?? '-d') {
    case '-d':
      return program.map((insn, i) => formatInsn(insn, i, options));
    case '-dd':
      return program.map((p) => `{ 0x${p.code.toString(16)}, ${p.jt}, ${p.jf}, 0x${hex8(p.k)} },`);
    case '-ddd':
      return [String(program.length), ...program.map((p) => `${p.code} ${p.jt} ${p.jf} ${p.k >>> 0}`)];
  }
}

/** The program's listing as tcpdump writes it to stdout: one line each, every line ending in `\n`. */
export function formatCbpf(program: readonly Insn[], options: DumpOptions = {}): string {
  return formatLines(program, options)
    .map((l) => `${l}\n`)
    .join('');
}

function formatOperand(kind: OperandKind, insn: Insn, index: number): string {
  const k = insn.k;
  switch (kind) {
    case 'none':
      return '';
    case 'x':
      return 'x';
    case 'dec':
      return `#${k | 0}`;
    case 'hex':
      return `#0x${(k >>> 0).toString(16)}`;
    case 'abs': {
      const name = ancillaryName(k);
      return name === undefined ? `[${k | 0}]` : `[${name}]`;
    }
    case 'ind':
      return `[x + ${k | 0}]`;
    case 'msh':
      return `4*([${k | 0}]&0xf)`;
    case 'mem':
      return `M[${k | 0}]`;
    case 'pktlen':
      return '#pktlen';
    case 'ja':
      // C computes n + 1 + k in unsigned arithmetic and prints it with %d.
      return String((index + 1 + k) | 0);
  }
}

function pad3(n: number): string {
  return String(n).padStart(3, '0');
}

function hex8(k: number): string {
  return (k >>> 0).toString(16).padStart(8, '0');
}
