// Synchronous access to the system libpcap (the reference) through test/oracle/oracle.c.
// Each call sends one batch of queries to one oracle process; batch as much as you can.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Insn } from '../../src/cbpf/insn.js';
import { buildLibpcapProgram, type BuildState } from './cbuild.js';

export type { Insn };

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD_DIR = path.join(PROJECT_ROOT, 'build');
export const ORACLE_SOURCE = path.join(PROJECT_ROOT, 'test/oracle/oracle.c');
export const ORACLE_BINARY = path.join(BUILD_DIR, 'oracle');

export interface CompileQuery {
  expr: string;
  /** DLT name as `tcpdump -y` takes it (e.g. 'EN10MB') or the DLT number. */
  linktype: string | number;
  /** Default 262144. */
  snaplen?: number;
  /** Default true. */
  optimize?: boolean;
  /** Dotted quad; default PCAP_NETMASK_UNKNOWN. */
  netmask?: string;
}
export type CompileResult = { ok: true; program: Insn[] } | { ok: false; error: string };

export interface FilterFileQuery {
  file: string;
  expr: string;
  /** Default true. */
  optimize?: boolean;
  /** Dotted quad; default PCAP_NETMASK_UNKNOWN. */
  netmask?: string;
}
export type FilterFileResult =
  | { ok: true; results: number[]; readError?: string }
  | { ok: false; error: string; stage: 'open' | 'compile' };

export interface OraclePacket {
  tsSec: number;
  /** Fraction of the second in nanoseconds (the file is opened with nanosecond precision). */
  tsNsec: number;
  caplen: number;
  wirelen: number;
  data: Uint8Array;
}
export type ReadPacketsResult =
  | {
      ok: true;
      linktype: number;
      snaplen: number;
      /** File byte order differs from the host's (pcap_is_swapped). */
      swapped: boolean;
      /** pcap_major_version/pcap_minor_version (pcapng files report 1.0 here). */
      version: [number, number];
      packets: OraclePacket[];
      readError?: string;
    }
  | { ok: false; error: string };

export interface DltInfo {
  name: string | null;
  description: string | null;
}

const ensureBuilt = (): BuildState => buildLibpcapProgram(ORACLE_SOURCE, ORACLE_BINARY);

/** True when the oracle binary exists or could be built (cc and libpcap headers present). */
export function oracleAvailable(): boolean {
  return ensureBuilt().ok;
}

/** Why the oracle is unavailable, or undefined when it is available. */
export function oracleUnavailableReason(): string | undefined {
  const state = ensureBuilt();
  return state.ok ? undefined : state.reason;
}

const hexArg = (s: string | Uint8Array): string =>
  'x' + Buffer.from(typeof s === 'string' ? Buffer.from(s, 'utf8') : s).toString('hex');

const optArg = (optimize: boolean | undefined): string => (optimize === false ? '0' : '1');
const maskArg = (netmask: string | undefined): string => netmask ?? '-';

const fits = (v: number, max: number): boolean => Number.isInteger(v) && v >= 0 && v <= max;

function programArgs(program: Insn[]): string {
  for (const [n, i] of program.entries()) {
    if (!fits(i.code, 0xffff) || !fits(i.jt, 0xff) || !fits(i.jf, 0xff) || !Number.isInteger(i.k)) {
      throw new RangeError(`instruction ${n} does not fit struct bpf_insn: ${JSON.stringify(i)}`);
    }
  }
  return [program.length, ...program.flatMap((i) => [i.code, i.jt, i.jf, i.k >>> 0])].join(' ');
}

/** Runs one batch; returns one parsed JSON answer per query line. */
function runOracle(lines: string[]): unknown[] {
  if (lines.length === 0) return [];
  const state = ensureBuilt();
  if (!state.ok) throw new Error(state.reason);
  const out = spawnSync(ORACLE_BINARY, [], {
    input: lines.join('\n') + '\n',
    maxBuffer: 4 * 1024 * 1024 * 1024,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (out.error) throw new Error(`libpcap oracle failed: ${out.error.message}`);
  if (out.status !== 0) throw new Error(`libpcap oracle exited with ${out.status ?? out.signal}: ${out.stderr}`);
  const answers = out.stdout.split('\n').filter((l) => l !== '');
  if (answers.length !== lines.length) {
    throw new Error(`libpcap oracle answered ${answers.length} of ${lines.length} queries`);
  }
  return answers.map((l) => JSON.parse(l) as unknown);
}

type RawError = { ok: false; error: string; stage?: 'open' | 'compile' };

export function libpcapCompile(queries: CompileQuery[]): CompileResult[] {
  const lines = queries.map(
    (q) =>
      `compile ${hexArg(q.expr)} ${hexArg(String(q.linktype))} ${q.snaplen ?? 262144} ${optArg(q.optimize)} ${maskArg(q.netmask)}`,
  );
  return runOracle(lines).map((a) => {
    const r = a as { ok: true; program: [number, number, number, number][] } | RawError;
    if (!r.ok) return { ok: false, error: r.error };
    return { ok: true, program: r.program.map(([code, jt, jf, k]) => ({ code, jt, jf, k })) };
  });
}

export function libpcapFilterFile(queries: FilterFileQuery[]): FilterFileResult[] {
  const lines = queries.map(
    (q) => `filter ${hexArg(q.file)} ${hexArg(q.expr)} ${optArg(q.optimize)} ${maskArg(q.netmask)}`,
  );
  return runOracle(lines).map((a) => {
    const r = a as { ok: true; results: number[]; readError?: string } | RawError;
    if (r.ok) return r.readError === undefined ? { ok: true, results: r.results } : r;
    return { ok: false, error: r.error, stage: r.stage ?? 'open' };
  });
}

export function libpcapReadPackets(file: string): ReadPacketsResult {
  const [a] = runOracle([`read ${hexArg(file)}`]);
  const r = a as
    | {
        ok: true;
        linktype: number;
        snaplen: number;
        swapped: boolean;
        version: [number, number];
        packets: [number, number, number, number, string][];
        readError?: string;
      }
    | RawError;
  if (!r.ok) return { ok: false, error: r.error };
  const result: ReadPacketsResult = {
    ok: true,
    linktype: r.linktype,
    snaplen: r.snaplen,
    swapped: r.swapped,
    version: r.version,
    packets: r.packets.map(([tsSec, tsNsec, caplen, wirelen, hex]) => ({
      tsSec,
      tsNsec,
      caplen,
      wirelen,
      data: new Uint8Array(Buffer.from(hex, 'hex')),
    })),
  };
  if (r.readError !== undefined) result.readError = r.readError;
  return result;
}

/**
 * Runs a cBPF program with libpcap's own interpreter, bpf_filter(), on each packet
 * (buflen = data.length). Throws when libpcap's bpf_validate() rejects the program,
 * since bpf_filter() is not safe on such programs.
 */
export function libpcapRunProgram(program: Insn[], packets: { data: Uint8Array; wirelen: number }[]): number[] {
  const pkts = packets.map((p) => `${p.wirelen >>> 0} ${hexArg(p.data)}`);
  const [a] = runOracle([`run ${programArgs(program)} ${packets.length} ${pkts.join(' ')}`]);
  const r = a as { ok: true; results: number[] } | RawError;
  if (!r.ok) throw new Error(`libpcap: ${r.error}`);
  return r.results;
}

/** libpcap's bpf_validate() verdict for each program. */
export function libpcapValidate(programs: Insn[][]): boolean[] {
  return runOracle(programs.map((p) => `validate ${programArgs(p)}`)).map((a) => {
    const r = a as { ok: true; valid: boolean } | RawError;
    if (!r.ok) throw new Error(`libpcap oracle: ${r.error}`);
    return r.valid;
  });
}

/** pcap_datalink_name_to_val() for each name (-1 when libpcap does not know it). */
export function libpcapDltValues(names: string[]): number[] {
  return runOracle(names.map((n) => `dltval ${hexArg(n)}`)).map((a) => (a as { value: number }).value);
}

/** pcap_datalink_val_to_name()/..._to_description() for each value (null when unknown). */
export function libpcapDltNames(values: number[]): DltInfo[] {
  return runOracle(values.map((v) => `dltname ${v >>> 0}`)).map((a) => {
    const r = a as { name: string | null; description: string | null };
    return { name: r.name, description: r.description };
  });
}
