// Read back a program from tcpdump's -d, -dd or -ddd output (and libpcap master's -d with opcode comments).

import { SKF_AD_OFF, type Insn } from './insn.js';
import type { DumpFormat } from './image.js';
import { ANCILLARY_NAMES, MNEMONICS, UNKNOWN_OP, printsJumpTargets, type OperandKind } from './mnemonics.js';

/** A listing that is not valid tcpdump output; `line` is 1-based in the text given. */
export class CbpfParseError extends Error {
  override readonly name = 'CbpfParseError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** Which format a listing is in, from its first non-blank line; undefined when nothing matches. */
export function detectDumpFormat(text: string): DumpFormat | undefined {
  const first = splitLines(text).find((l) => l.text.trim() !== '')?.text.trim();
  if (first === undefined) return undefined;
  if (first.startsWith('(')) return '-d';
  if (first.startsWith('{')) return '-dd';
  if (/^\d+$/.test(first)) return '-ddd';
  return undefined;
}

/** Parse a listing in any of the three formats (detected from the text unless given). */
export function parseCbpf(text: string, format: DumpFormat | undefined = detectDumpFormat(text)): Insn[] {
  const lines = splitLines(text).filter((l) => l.text.trim() !== '');
  switch (format) {
    case '-d':
      return lines.map((l, i) => parseImageLine(l.text, i, l.line));
    case '-dd':
      return lines.map((l) => parseArrayLine(l.text, l.line));
    case '-ddd':
      return parseDecimal(lines);
    case undefined:
      throw new CbpfParseError(lines[0]?.line ?? 1, 'not a tcpdump -d, -dd or -ddd listing');
  }
}

interface Line {
  text: string;
  line: number;
}

function splitLines(text: string): Line[] {
  return text.split('\n').map((t, i) => ({ text: t.replace(/\r$/, ''), line: i + 1 }));
}

// ---- -d ----

const byShape = new Map(MNEMONICS.map((m) => [`${m.op} ${m.operand}`, m.code]));
const ancillaryByName = new Map([...ANCILLARY_NAMES].map(([n, name]) => [name, (SKF_AD_OFF + n) >>> 0]));

const IMAGE_LINE = /^\((\d+)\) (\S+)(?: +(.*?))?\s*$/;
const JUMP_TARGETS = /^(.*?)\s+jt (\d+)\s+jf (\d+)$/;
const OPCODE_COMMENT = /\s*; 0x[0-9a-fA-F]+$/;
const NUM = '(-?\\d+)';
const OPERANDS: [OperandKind, RegExp][] = [
  ['none', /^$/],
  ['x', /^x$/],
  ['pktlen', /^#pktlen$/],
  ['hex', /^#0x([0-9a-fA-F]+)$/],
  ['dec', new RegExp(`^#${NUM}$`)],
  ['ind', new RegExp(`^\\[x \\+ ${NUM}\\]$`)],
  ['abs', new RegExp(`^\\[${NUM}\\]$`)],
  ['abs', /^\[([a-z_]+)\]$/],
  ['msh', new RegExp(`^4\\*\\(\\[${NUM}\\]&0xf\\)$`)],
  ['mem', new RegExp(`^M\\[${NUM}\\]$`)],
  ['ja', new RegExp(`^${NUM}$`)],
];

function parseImageLine(raw: string, position: number, lineNo: number): Insn {
  const fail = (reason: string): never => {
    throw new CbpfParseError(lineNo, reason);
  };
  const m = IMAGE_LINE.exec(raw.replace(OPCODE_COMMENT, ''));
  if (!m) return fail(`not a tcpdump -d line: ${JSON.stringify(raw)}`);
  const [, indexText, op] = m;
  let operandText = m[3] ?? '';
  const index = Number(indexText);
  if (index !== position) fail(`instruction numbered (${indexText}) at position ${position}`);
  let targets: [number, number] | undefined;
  const j = JUMP_TARGETS.exec(operandText);
  if (j) {
    operandText = j[1];
    targets = [toOffset(Number(j[2]), index, 'jt', fail), toOffset(Number(j[3]), index, 'jf', fail)];
  }
  const insn =
    op === UNKNOWN_OP ? parseUnknown(operandText, fail) : parseKnown(op, operandText, index, fail);
  if (printsJumpTargets(insn.code) !== (targets !== undefined)) {
    fail(targets ? `${op} takes no jt/jf` : `${op} needs jt and jf`);
  }
  if (targets) [insn.jt, insn.jf] = targets;
  return insn;
}

function parseKnown(op: string, operandText: string, index: number, fail: (r: string) => never): Insn {
  for (const [kind, re] of OPERANDS) {
    const m = re.exec(operandText);
    const code = m ? byShape.get(`${op} ${kind}`) : undefined;
    if (!m || code === undefined) continue;
    const k = operandValue(kind, m[1], index, fail);
    return { code, jt: 0, jf: 0, k };
  }
  return fail(`unknown instruction ${JSON.stringify(`${op} ${operandText}`.trim())}`);
}

function operandValue(kind: OperandKind, text: string | undefined, index: number, fail: (r: string) => never): number {
  if (text === undefined) return 0;
  if (kind === 'hex') return u32(parseInt(text, 16), fail);
  if (kind === 'abs' && !/^-?\d/.test(text)) {
    return ancillaryByName.get(text) ?? fail(`unknown ancillary load [${text}]`);
  }
  const n = Number(text);
  // bpf_image prints ja's target as n + 1 + k.
  return kind === 'ja' ? (n - index - 1) >>> 0 : u32(n, fail);
}

function parseUnknown(operandText: string, fail: (r: string) => never): Insn {
  const m = /^0x([0-9a-fA-F]+)$/.exec(operandText);
  const code = m ? parseInt(m[1], 16) : NaN;
  if (!(code <= 0xffff)) fail(`unimp needs an opcode 0x0..0xffff, got ${JSON.stringify(operandText)}`);
  return { code, jt: 0, jf: 0, k: 0 };
}

function toOffset(target: number, index: number, which: string, fail: (r: string) => never): number {
  const off = target - index - 1;
  if (off < 0 || off > 0xff) fail(`${which} ${target} is not 1..256 instructions after (${index})`);
  return off;
}

/** A number printed with %d or %u (or %x) as the u32 it came from. */
function u32(n: number, fail: (r: string) => never): number {
  if (!Number.isSafeInteger(n) || n < -0x80000000 || n > 0xffffffff) fail(`${n} does not fit in 32 bits`);
  return n >>> 0;
}

// ---- -dd ----

const ARRAY_LINE = /^\{\s*(\w+)\s*,\s*(\w+)\s*,\s*(\w+)\s*,\s*(\w+)\s*\},?$/;

function parseArrayLine(raw: string, lineNo: number): Insn {
  const m = ARRAY_LINE.exec(raw.trim());
  if (!m) throw new CbpfParseError(lineNo, `not a tcpdump -dd line: ${JSON.stringify(raw)}`);
  return fields(m.slice(1, 5), lineNo);
}

// ---- -ddd ----

function parseDecimal(lines: Line[]): Insn[] {
  const [head, ...rest] = lines;
  const count = Number(head.text.trim());
  if (count !== rest.length) {
    throw new CbpfParseError(head.line, `count ${head.text.trim()} but ${rest.length} instructions follow`);
  }
  return rest.map((l) => {
    const parts = l.text.trim().split(/\s+/);
    if (parts.length !== 4 || !parts.every((p) => /^\d+$/.test(p))) {
      throw new CbpfParseError(l.line, `not a tcpdump -ddd line: ${JSON.stringify(l.text)}`);
    }
    return fields(parts, l.line);
  });
}

/** code, jt, jf, k written as C integer literals (decimal or 0x hex), range-checked. */
function fields(texts: string[], lineNo: number): Insn {
  const limits = [0xffff, 0xff, 0xff, 0xffffffff];
  const names = ['code', 'jt', 'jf', 'k'];
  const [code, jt, jf, k] = texts.map((t, i) => {
    const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
    if (!(n >= 0 && n <= limits[i])) throw new CbpfParseError(lineNo, `${names[i]} ${t} is out of range`);
    return n;
  });
  return { code, jt, jf, k };
}
