// The pcap record walk in WebAssembly, for batches read into WebAssembly memory (the JIT's, through
// readBatches' `allocate`). It runs the common case only: little-endian records with 16-byte headers,
// the lengths in order, no pseudo-header to fix, a captured length within the snapshot length (so its
// records are CaptureBatch.pcapAsRead). It stops
// at the first record that is anything else (or cut by the end of the data) and leaves it, and all
// after it, to the JavaScript parser, which then gives libpcap's verdict on it.
//
// Why: a file's first hundred thousand records would otherwise be parsed by V8's baseline tiers before
// its optimizing compiler takes over, which costs more than reading and filtering them.
//
// A filter's JIT can host the walk (FILTERING_PCAP_WALK): it then runs the filter on each record as it
// finds it, while the record's bytes are in the CPU cache, and leaves the verdicts in the batch
// (CaptureBatch.walkVerdicts), so the filter need not go over the batch again.
import type { ProgramHost, ProgramRunner } from '../ebpf/jit/index.js';
import { WebAssemblyApi } from '../ebpf/jit/wasm-api.js';
import { FunctionBody, I32, ModuleBuilder, Op } from '../ebpf/jit/wasm-writer.js';
import { PCAP_RECORD_HEADER_BYTES, type RecordTable } from './batch.js';

/** What the walk needs of a WebAssembly.Memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/**
 * scan(base, pos, end, out, max, limit) -> records: walks records from memory address `pos` while a
 * whole one lies before `end`, its captured length is at most `limit` and fewer than `max` were taken.
 * Writes u32 arrays of `max` entries from `out`: offset of the data from `base`, captured length,
 * wire length, the two timestamp words; a filtering walk also each record's verdict, and after the
 * arrays (at out + 4 * max * 6) how many verdicts are non-zero.
 */
export type Scan = (base: number, pos: number, end: number, out: number, max: number, limit: number) => number;

/** A record walk over the memory a batch was read into (see BatchReadOptions.walkOf). */
export interface RecordWalk {
  readonly memory: WasmMemory;
  /** the walk (its module built by FILTERING_PCAP_WALK, or the plain one of plainRecordWalk) */
  readonly scan: Scan;
  /** for a filtering walk: who filters (CaptureBatch.walkVerdicts.by) */
  readonly filter?: object;
}

/** u32 arrays a walk writes: the record's five, and a filtering walk's verdicts. */
const RECORD_COLUMNS = 5;

/** Adds the walk function, exported as `scan`; with a runner, it filters each record too. */
function addWalk(m: ModuleBuilder, runner?: (f: FunctionBody) => ProgramRunner): void {
  const { index, body: f } = m.addFunction([I32, I32, I32, I32, I32, I32], [I32]);
  const [base, pos, end, out, max, limit] = [0, 1, 2, 3, 4, 5];
  const run = runner?.(f);
  const columnCount = RECORD_COLUMNS + (run ? 1 : 0);
  const local = (): number => f.local(I32);
  const l: WalkLocals = {
    base, pos, end, limit, caplen: local(), wirelen: local(), packet: local(), left: local(), at: local(), stop: local(),
    columns: [0], matches: local(), run,
  };
  for (let k = 1; k <= columnCount; k++) l.columns.push(local());
  // column k of record n is at `at + columns[k]`, where at = out + 4n and columns[k] = 4 * max * k
  f.get(out).set(l.at);
  f.get(max).i32Const(2).op(Op.i32_shl).tee(l.columns[1]).get(out).op(Op.i32_add).set(l.stop);
  for (let k = 2; k <= columnCount; k++) f.get(l.columns[1]).i32Const(k).op(Op.i32_mul).set(l.columns[k]);
  emitWalk(f, l);
  if (run) f.get(out).get(l.columns[columnCount]).op(Op.i32_add).get(l.matches).mem(Op.i32_store, 2);
  f.get(l.at).get(out).op(Op.i32_sub).i32Const(2).op(Op.i32_shr_u);
  m.export('scan', index);
}

/** The walk a filter's JIT hosts (JitFilter.hosted): it filters every record it takes. */
export const FILTERING_PCAP_WALK: ProgramHost = addWalk;

interface WalkLocals {
  base: number;
  pos: number;
  end: number;
  limit: number;
  caplen: number;
  wirelen: number;
  /** address of the record's packet bytes */
  packet: number;
  left: number;
  at: number;
  /** `at` of the first record past `max` */
  stop: number;
  columns: number[];
  /** non-zero verdicts so far (a filtering walk) */
  matches: number;
  run?: ProgramRunner;
}

/** The loop: few instructions a record, as it runs in V8's baseline tier until the optimizing one takes over. */
function emitWalk(f: FunctionBody, l: WalkLocals): void {
  const done = f.block();
  const next = f.loop();
  f.get(l.at).get(l.stop).op(Op.i32_ge_u).brIf(done);
  // a whole header?
  f.get(l.end).get(l.pos).op(Op.i32_sub).tee(l.left).i32Const(PCAP_RECORD_HEADER_BYTES).op(Op.i32_lt_u).brIf(done);
  f.get(l.pos).mem(Op.i32_load, 0, 8).tee(l.caplen).get(l.limit).op(Op.i32_gt_u).brIf(done);
  // the whole record?
  f.get(l.left).i32Const(PCAP_RECORD_HEADER_BYTES).op(Op.i32_sub).get(l.caplen).op(Op.i32_lt_u).brIf(done);
  const column = (k: number, value: () => void): void => {
    f.get(l.at);
    if (k > 0) f.get(l.columns[k]).op(Op.i32_add);
    value();
    f.mem(Op.i32_store, 2);
  };
  f.get(l.pos).i32Const(PCAP_RECORD_HEADER_BYTES).op(Op.i32_add).set(l.packet);
  f.get(l.pos).mem(Op.i32_load, 0, 12).set(l.wirelen);
  column(0, () => f.get(l.packet).get(l.base).op(Op.i32_sub));
  column(1, () => f.get(l.caplen));
  column(2, () => f.get(l.wirelen));
  column(3, () => f.get(l.pos).mem(Op.i32_load, 0, 0));
  column(4, () => f.get(l.pos).mem(Op.i32_load, 0, 4));
  if (l.run) {
    l.run.emitRun(l.packet, l.caplen, l.wirelen);
    column(RECORD_COLUMNS, () => f.get(l.run!.verdict));
    f.get(l.matches).get(l.run.verdict).op(Op.i32_eqz).op(Op.i32_eqz).op(Op.i32_add).set(l.matches);
  }
  f.get(l.packet).get(l.caplen).op(Op.i32_add).set(l.pos);
  f.get(l.at).i32Const(4).op(Op.i32_add).set(l.at);
  f.br(next);
  f.end(next);
  f.end(done);
}

let compiled: object | undefined;
const plainWalks = new WeakMap<WasmMemory, RecordWalk>();

/** The walk that only finds records, over `memory`. */
export function plainRecordWalk(memory: WasmMemory): RecordWalk {
  let walk = plainWalks.get(memory);
  if (!walk) {
    if (!compiled) {
      const m = new ModuleBuilder({ module: 'env', name: 'memory', pages: 0 });
      addWalk(m);
      compiled = new WebAssemblyApi.Module(m.encode());
    }
    walk = { memory, scan: new WebAssemblyApi.Instance(compiled, { env: { memory } }).exports.scan as Scan };
    plainWalks.set(memory, walk);
  }
  return walk;
}

/**
 * Adds the records from `pos` in `buffer` (a view on the walk's memory) that the walk takes to `table`
 * (with their verdicts, for a filtering walk); returns the offset in `buffer` where it stopped. `limit`
 * is the largest captured length it takes. Its output goes to the memory past the end of `buffer`, in
 * as many rounds as that room needs.
 */
export function scanPcapRecords(walk: RecordWalk, buffer: Uint8Array, pos: number, end: number, limit: number, table: RecordTable): number {
  const { memory, scan, filter } = walk;
  const columnCount = RECORD_COLUMNS + (filter ? 1 : 0);
  const base = buffer.byteOffset;
  const out = (base + buffer.length + 7) & ~7;
  // (a filtering walk's match count follows its arrays)
  const max = Math.floor((memory.buffer.byteLength - out - 4) / (4 * columnCount));
  if (max < 1) return pos;
  for (;;) {
    const n = scan(base, base + pos, base + end, out, max, limit);
    if (n === 0) return pos;
    table.reserve(table.count + n);
    const column = (k: number): Uint32Array => new Uint32Array(memory.buffer, out + 4 * k * max, n);
    const at = table.count;
    table.offsets.set(column(0), at);
    table.caplens.set(column(1), at);
    table.wirelens.set(column(2), at);
    table.tsHigh.set(column(3), at);
    table.tsLow.set(column(4), at);
    table.addedRun(at + n, 0);
    if (filter) table.addedWalkVerdicts(filter, at, column(RECORD_COLUMNS), new Uint32Array(memory.buffer, out + 4 * columnCount * max, 1)[0]);
    pos = table.offsets[at + n - 1] + table.caplens[at + n - 1];
    if (n < max) return pos;
  }
}
