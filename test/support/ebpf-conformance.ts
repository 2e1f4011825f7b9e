// Loader for the eBPF conformance suite in ../shared/conformance/ebpf: parses the `.data` files exactly
// as its README describes upstream's bpf_test_parser (latin-1 text, `#` comments, `--` section
// directives matched by substring), and reads the derived tests.json for byte-level cross-checks.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assembleEbpf } from '../../src/ebpf/asm.js';
import { decodeEbpf, u64ToSlot } from '../../src/ebpf/encode.js';
import type { EbpfInsn } from '../../src/ebpf/insn.js';
import { CONFORMANCE_DIR } from './corpus.js';

export const EBPF_CONFORMANCE_DIR = path.join(CONFORMANCE_DIR, 'ebpf');
export const EBPF_NEGATIVE_DIR = path.join(EBPF_CONFORMANCE_DIR, 'negative');

type Section = 'asm' | 'result' | 'mem' | 'raw' | 'no register offset' | 'c' | 'error';

/** One parsed `.data` file. Absent sections are undefined; `mem` is empty without a `-- mem` section. */
export interface EbpfDataFile {
  /** File name without `.data`, e.g. `lock_cmpxchg` or `negative/unused-exit-dst`. */
  name: string;
  /** Assembly text (the `-- asm` lines, comments removed), if the file has that section. */
  asm?: string;
  /** Slots from `-- raw`, in either of the two layouts the README describes. */
  raw?: EbpfInsn[];
  mem: Uint8Array;
  /** Expected full 64-bit r0, unsigned. */
  result?: bigint;
  /** Expected error text (possibly empty) when the file has an `-- error` section. */
  error?: string;
  /** Set when a `--` line matched no known directive (upstream skips such a file). */
  unknownDirective?: string;
}

/** Parses `.data` text; `bytes` is read as latin-1 (some files hold a stray 0x7F in comments). */
export function parseEbpfData(name: string, bytes: Uint8Array): EbpfDataFile {
  const sections = new Map<Section, string[]>();
  let current: Section | undefined;
  let unknownDirective: string | undefined;
  for (const rawLine of Buffer.from(bytes).toString('latin1').split('\n')) {
    const line = rawLine.replace(/\r$/, '').replace(/#.*/, '');
    if (line.includes('--')) {
      current = directiveOf(line);
      if (current === undefined) unknownDirective ??= line.trim();
      else if (!sections.has(current)) sections.set(current, []);
      continue;
    }
    if (line.trim() === '' || current === undefined) continue;
    sections.get(current)!.push(line);
  }
  const last = (s: Section): string | undefined => sections.get(s)?.map((l) => l.trim()).filter((l) => l !== '').at(-1);
  const resultText = last('result');
  return {
    name,
    asm: sections.has('asm') ? sections.get('asm')!.join('\n') : undefined,
    raw: sections.has('raw') ? parseRaw(sections.get('raw')!) : undefined,
    mem: parseMem(sections.get('mem') ?? []),
    result: resultText === undefined ? undefined : parseResult(resultText),
    error: sections.has('error') ? (last('error') ?? '') : undefined,
    unknownDirective,
  };
}

function directiveOf(line: string): Section | undefined {
  const rest = line.slice(line.indexOf('--') + 2);
  const order: [string, Section][] = [
    ['asm', 'asm'],
    ['result', 'result'],
    ['mem', 'mem'],
    ['raw', 'raw'],
    ['no register offset', 'no register offset'],
    [' c', 'c'],
    ['error', 'error'],
  ];
  return order.find(([needle]) => rest.includes(needle))?.[1];
}

function parseResult(text: string): bigint {
  if (text.includes('0x')) return BigInt.asUintN(64, BigInt(text.slice(text.indexOf('0x')).split(/\s/)[0]!));
  return BigInt.asUintN(64, BigInt(text.split(/\s/)[0]!));
}

function parseMem(lines: string[]): Uint8Array {
  const tokens = lines.join(' ').split(/\s+/).filter((t) => t !== '');
  return Uint8Array.from(tokens.map((t) => parseInt(t, 16)));
}

/** `tests/` layout: one 64-bit integer per slot; `negative/` layout: 8 hex bytes per line in memory order. */
function parseRaw(lines: string[]): EbpfInsn[] {
  const rows = lines.map((l) => l.trim().split(/\s+/));
  if (rows.every((r) => r.length === 8 && r.every((t) => /^[0-9a-f]{2}$/i.test(t)))) {
    return decodeEbpf(Uint8Array.from(rows.flat().map((t) => parseInt(t, 16))));
  }
  return rows.flat().map((t) => u64ToSlot(BigInt(t)));
}

/** The program of a parsed file: the raw slots when present (they replace the asm), else the assembled asm. */
export function programOf(file: EbpfDataFile): EbpfInsn[] {
  if (file.raw) return file.raw;
  return assembleEbpf(file.asm ?? '');
}

function loadDir(dir: string, prefix: string): EbpfDataFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.data'))
    .sort()
    .map((f) => parseEbpfData(prefix + f.slice(0, -'.data'.length), readFileSync(path.join(dir, f))));
}

/** The 313 positive tests (tests/ upstream). */
export function ebpfConformanceTests(): EbpfDataFile[] {
  return loadDir(EBPF_CONFORMANCE_DIR, '');
}

/** The 60 files of negative/, named `negative/<file>`. */
export function ebpfConformanceNegatives(): EbpfDataFile[] {
  return loadDir(EBPF_NEGATIVE_DIR, 'negative/');
}

/** tests.json (derived): per test the expected slots as 16 hex digits in memory order. */
export interface EbpfTestsJson {
  tests: { file: string; insns: string[]; mem: string; result: string }[];
  negative_unused_fields: { file: string; insns: string[] }[];
}

export function ebpfTestsJson(): EbpfTestsJson {
  return JSON.parse(readFileSync(path.join(EBPF_CONFORMANCE_DIR, 'tests.json'), 'utf8')) as EbpfTestsJson;
}
