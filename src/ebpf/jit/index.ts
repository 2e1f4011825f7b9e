// JS side of the JIT: compiles a program to a wasm module, instantiates it once and runs packets
// through it. Single-packet calls copy the packet into the module's memory (no allocation); batches
// run in one call over packets that are already in the module's memory (see `allocate`).

import type { CaptureBatch } from '../../capture/batch.js';
import type { EbpfInsn } from '../insn.js';
import { fillSkbContext } from '../skb.js';
import { DEFAULT_EBPF_BUDGET } from '../vm.js';
import {
  compileEbpfToWasm, JIT_EXPORTS, JIT_MEMORY_IMPORT, JIT_MEMORY_PAGES, type JitEntry, type ProgramHost,
} from './compile.js';
import { WebAssemblyApi, type WasmMemory } from './wasm-api.js';
import {
  BATCH_ADDR, BATCH_DESC_SIZE, BATCH_TOUCH_BYTES, CTX_SIZE, FLAT_ADDR, GATHER_ADDR, JitStatus, PACKET_ADDR, PACKET_ROOM,
  R0_ADDR, STACK_TOTAL, STATUS_ADDR, WASM_PAGE,
} from './layout.js';

export { JitStatus } from './layout.js';
export type { ProgramHost, ProgramRunner } from './compile.js';

/** A run that stopped without reaching `exit` (the VM throws EbpfRuntimeError in the same cases). */
export class JitRuntimeError extends Error {
  override readonly name = 'JitRuntimeError';
  constructor(readonly status: JitStatus) {
    super(`JIT'd program stopped: ${STATUS_TEXT[status] ?? `status ${status}`}`);
  }
}

/** The engine refused the generated module (e.g. a program beyond V8's function size limits). */
export class JitCompileError extends Error {
  override readonly name = 'JitCompileError';
}

const STATUS_TEXT: Record<number, string> = {
  [JitStatus.BadAccess]: 'memory access out of bounds',
  [JitStatus.Budget]: 'instruction budget exhausted',
  [JitStatus.CallDepth]: 'local calls nested too deep',
  [JitStatus.BadInsn]: 'invalid instruction, helper or jump target',
};

/** What filterBatch needs of a capture batch (src/capture's CaptureBatch has it all). */
export type JitBatchInput = Pick<CaptureBatch, 'buffer' | 'count' | 'offsets' | 'caplens' | 'wirelens'>;

export interface JitOptions {
  /** Instructions a run may execute (default: the VM's DEFAULT_EBPF_BUDGET). */
  budget?: number;
}

export interface JitFilter {
  /** The module bytes, with every entry point (a run compiles only the entry point it uses). */
  readonly wasm: Uint8Array;
  /** Runs on one packet: the low 32 bits of r0 (the snapshot length; 0 rejects). Throws JitRuntimeError. */
  run(packet: Uint8Array, wirelen?: number): number;
  /** run(...) !== 0 */
  match(packet: Uint8Array, wirelen?: number): boolean;
  /**
   * Runs on many packets in one call (they are copied into the module's memory first). A packet whose
   * run stops with an error gets verdict 0. The result is a fresh array.
   */
  runBatch(packets: readonly Uint8Array[], wirelens?: readonly number[]): Uint32Array;
  /**
   * An `allocate` callback for readBatches(): it hands out the module's own memory, so the reader puts
   * file bytes where the filter reads them and filterBatch() copies nothing but 12 bytes a record.
   */
  readonly allocate: (size: number) => Uint8Array;
  /** The module's memory (views from allocate() lie in it); the capture reader walks records there. */
  readonly memory: { readonly buffer: ArrayBuffer };
  /**
   * Verdicts for every record of a capture batch (a view into the module's memory, valid until the next
   * call). Records stopped by an error get 0. A batch read into another buffer is copied in first.
   */
  filterBatch(batch: JitBatchInput): Uint32Array;
  /** How many verdicts of the last filterBatch() or runBatch() are non-zero. */
  readonly batchMatches: number;
  /**
   * Makes verdicts given elsewhere for the records of a batch read into this filter's memory (by a
   * function hosted() built, say) the last verdicts, as if filterBatch() had given them, for
   * gatherMatches().
   */
  adoptVerdicts(batch: JitBatchInput, verdicts: Uint32Array, matches: number): void;
  /**
   * The exports of a module that `host` builds around the program (see ProgramHost), over this
   * filter's memory; compiled on first use, once per host. The module carries the batch entry point
   * too, which filterBatch() then uses: a run that needs both compiles the program once.
   */
  hosted(host: ProgramHost): Record<string, unknown>;
  /**
   * The records of the last filterBatch() or runBatch() with a non-zero verdict, from record `from` on
   * and at most `limit` of them, copied one after another, each with the `before` bytes that precede it
   * in the batch (a pcap file's record header: 16). The bytes are a view into the module's memory,
   * valid until the next call of any method.
   */
  gatherMatches(before: number, from: number, limit: number): GatheredMatches;
  /**
   * Conformance-style run: r1 points to a copy of `mem`, r2 = its length, legacy packet loads read
   * `packet` (default: none). Returns the full 64-bit r0 (unsigned). Throws JitRuntimeError.
   */
  runMemory(mem: Uint8Array, packet?: Uint8Array): bigint;
  // (run() and runBatch()/filterBatch() use separate memory; runMemory() uses all of it.)
}

export interface GatheredMatches {
  /** the copied records */
  bytes: Uint8Array;
  /** how many records were copied */
  taken: number;
  /** the record after the last one looked at */
  next: number;
}

/** The module's functions (see JIT_EXPORTS for what each one does). */
type RunPacket = (pkt: number, caplen: number, wirelen: number) => number;
type RunMem = (memLen: number, pkt: number, caplen: number) => number;
type RunBatch = (desc: number, count: number, out: number) => number;
type Gather = (desc: number, count: number, verdicts: number, from: number, before: number, out: number, limit: number) => number;

/**
 * An eBPF program (e.g. a translated classic filter) as a wasm filter. Every instruction sequence
 * compiles (what the VM refuses at run time fails at run time here too). Each way of running it (one
 * packet, a batch, conformance memory) is compiled to WebAssembly on its first use, so a capture
 * filtered in batches never builds the other two copies of the program; a program too big for the
 * engine throws JitCompileError then.
 */
export function compileJit(prog: readonly EbpfInsn[], options: JitOptions = {}): JitFilter {
  return new WasmFilter(prog, options.budget ?? DEFAULT_EBPF_BUDGET);
}

class WasmFilter implements JitFilter {
  /** One memory for every entry point's instance, so a batch stays put across single runs. */
  readonly memory: WasmMemory = new WebAssemblyApi.Memory({ initial: JIT_MEMORY_PAGES });
  private module?: Uint8Array;
  private runPacketFn?: RunPacket;
  private runMemFn?: RunMem;
  private batchFns?: { runBatch: RunBatch; gather: Gather };
  private readonly hosts = new Map<ProgramHost, Record<string, unknown>>();
  private bytes!: Uint8Array;
  private words!: Uint32Array;
  /** End of the memory batches have used (single packets too long for PACKET_ROOM go there). */
  private batchEnd = BATCH_ADDR;
  /** Views of the data area given out by allocate(), with their sizes. */
  private readonly handedOut = new WeakMap<Uint8Array, number>();
  /** Where the last filterBatch() or runBatch() left its descriptors and verdicts, and its data size. */
  private last = { descAt: 0, count: 0, outAt: 0, dataBytes: 0 };
  batchMatches = 0;

  constructor(
    private readonly prog: readonly EbpfInsn[],
    private readonly budget: number,
  ) {
    this.refreshViews();
  }

  get wasm(): Uint8Array {
    this.module ??= compileEbpfToWasm(this.prog, { budget: this.budget });
    return this.module;
  }

  /** The exports of a module with one entry point, or a host's functions with the batch entry point, over the shared memory. */
  private instantiate(entry: JitEntry | ProgramHost): Record<string, unknown> {
    const bytes = compileEbpfToWasm(
      this.prog,
      typeof entry === 'string' ? { budget: this.budget, entries: [entry] } : { budget: this.budget, entries: ['runBatch'], host: entry },
    );
    let module: object;
    try {
      module = new WebAssemblyApi.Module(bytes);
    } catch (e) {
      throw new JitCompileError(`WebAssembly refused the compiled filter: ${(e as Error).message}`);
    }
    const imports = { [JIT_MEMORY_IMPORT.module]: { [JIT_MEMORY_IMPORT.name]: this.memory } };
    return new WebAssemblyApi.Instance(module, imports).exports;
  }

  hosted(host: ProgramHost): Record<string, unknown> {
    let x = this.hosts.get(host);
    if (!x) {
      x = this.instantiate(host);
      this.hosts.set(host, x);
      this.batchFns ??= batchFunctions(x);
    }
    return x;
  }

  private get batch(): { runBatch: RunBatch; gather: Gather } {
    this.batchFns ??= batchFunctions(this.instantiate('runBatch'));
    return this.batchFns;
  }

  private refreshViews(): void {
    this.bytes = new Uint8Array(this.memory.buffer);
    this.words = new Uint32Array(this.memory.buffer);
  }

  /** Makes linear memory at least `size` bytes long. */
  private ensure(size: number): void {
    const have = this.memory.buffer.byteLength;
    if (size > have) {
      this.memory.grow(Math.ceil((size - have) / WASM_PAGE));
      this.refreshViews();
    }
  }

  private check(): void {
    const status = this.words[STATUS_ADDR >> 2] as JitStatus;
    if (status !== JitStatus.Ok) throw new JitRuntimeError(status);
  }

  run(packet: Uint8Array, wirelen: number = packet.length): number {
    // a packet longer than any snapshot goes past everything else, so batch data stays intact
    const at = packet.length <= PACKET_ROOM ? PACKET_ADDR : this.batchEnd;
    if (at + packet.length > this.bytes.length) this.ensure(at + packet.length);
    this.bytes.set(packet, at);
    this.runPacketFn ??= this.instantiate('runPacket')[JIT_EXPORTS.runPacket] as RunPacket;
    const r = this.runPacketFn(at, packet.length, wirelen >>> 0) >>> 0;
    if (r === 0) this.check();
    return r;
  }

  match(packet: Uint8Array, wirelen?: number): boolean {
    return this.run(packet, wirelen) !== 0;
  }

  runBatch(packets: readonly Uint8Array[], wirelens?: readonly number[]): Uint32Array {
    let dataBytes = 0;
    for (const p of packets) dataBytes += p.length;
    const n = packets.length;
    const { descAt, outAt } = this.reserveBatch(dataBytes, n);
    this.last = { descAt, count: n, outAt, dataBytes };
    const d = descAt >> 2;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const p = packets[i];
      this.bytes.set(p, BATCH_ADDR + at);
      this.words[d + i] = at;
      this.words[d + n + i] = p.length;
      this.words[d + 2 * n + i] = (wirelens?.[i] ?? p.length) >>> 0;
      at += p.length;
    }
    return this.words.slice(...this.runBatchAt(descAt, n, outAt));
  }

  /** Grows memory for `dataBytes` of packets at BATCH_ADDR plus descriptors and verdicts for n packets. */
  private reserveBatch(dataBytes: number, n: number): { descAt: number; outAt: number } {
    const descAt = align(BATCH_ADDR + dataBytes + BATCH_TOUCH_BYTES);
    const outAt = descAt + n * BATCH_DESC_SIZE;
    this.ensure(outAt + 4 * n);
    this.batchEnd = Math.max(this.batchEnd, align(outAt + 4 * n));
    return { descAt, outAt };
  }

  /** Runs run_batch; returns the word range of the verdicts. */
  private runBatchAt(descAt: number, n: number, outAt: number): [number, number] {
    const { runBatch } = this.batch; // (compiled on first use: a JitCompileError is its own)
    try {
      this.batchMatches = runBatch(descAt, n, outAt);
    } catch (e) {
      // only a descriptor pointing past the module's memory makes wasm trap
      throw new RangeError(`a batch record lies outside the filter's memory (${(e as Error).message})`);
    }
    return [outAt >> 2, (outAt >> 2) + n];
  }

  // Room for descriptors and verdicts is reserved with the data: a record takes at least 16 bytes
  // of file (its header), so `size` more bytes hold 12 + 4 bytes for every record.
  readonly allocate = (size: number): Uint8Array => {
    this.ensure(align(BATCH_ADDR + size + BATCH_TOUCH_BYTES) + size);
    this.batchEnd = Math.max(this.batchEnd, align(BATCH_ADDR + size + BATCH_TOUCH_BYTES) + size);
    const view = this.bytes.subarray(BATCH_ADDR, BATCH_ADDR + size);
    this.handedOut.set(view, size);
    return view;
  };

  filterBatch(batch: JitBatchInput): Uint32Array {
    const { descAt, outAt } = this.loadBatch(batch);
    return this.words.subarray(...this.runBatchAt(descAt, batch.count, outAt));
  }

  adoptVerdicts(batch: JitBatchInput, verdicts: Uint32Array, matches: number): void {
    const { outAt } = this.loadBatch(batch);
    this.words.set(verdicts.subarray(0, batch.count), outAt >> 2);
    this.batchMatches = matches;
  }

  /** Puts a batch's bytes (unless read into this memory) and descriptors where run_batch and gather find them. */
  private loadBatch(batch: JitBatchInput): { descAt: number; outAt: number } {
    const buf = batch.buffer;
    const n = batch.count;
    // a view from allocate() may have been detached by a memory.grow since: its bytes stay in place
    const ownSize = this.handedOut.get(buf);
    const dataBytes = ownSize ?? buf.length;
    const { descAt, outAt } = this.reserveBatch(dataBytes, n);
    this.last = { descAt, count: n, outAt, dataBytes };
    if (ownSize === undefined) this.bytes.set(buf, BATCH_ADDR);
    const d = descAt >> 2;
    const { offsets, caplens, wirelens } = batch;
    this.words.set(offsets.subarray(0, n), d);
    this.words.set(caplens.subarray(0, n), d + n);
    this.words.set(wirelens.subarray(0, n), d + 2 * n);
    return { descAt, outAt };
  }

  gatherMatches(before: number, from: number, limit: number): GatheredMatches {
    const { descAt, count, outAt, dataBytes } = this.last;
    // after the verdicts, room for every record of the batch with its `before` bytes
    const at = align(outAt + 4 * count);
    this.ensure(at + dataBytes + before * count);
    const next = this.batch.gather(descAt, count, outAt, from, before, at, Math.min(limit, 0xffffffff) >>> 0);
    const copied = this.words[GATHER_ADDR >> 2];
    return { bytes: this.bytes.subarray(at, at + copied), taken: this.words[(GATHER_ADDR >> 2) + 1], next };
  }

  runMemory(mem: Uint8Array, packet: Uint8Array = new Uint8Array(0)): bigint {
    const memAt = FLAT_ADDR + CTX_SIZE;
    const pktAt = align(memAt + mem.length + STACK_TOTAL);
    this.ensure(pktAt + packet.length);
    const view = new DataView(this.memory.buffer);
    fillSkbContext(view, FLAT_ADDR, packet.length, packet.length);
    this.bytes.set(mem, memAt);
    this.bytes.set(packet, pktAt);
    this.runMemFn ??= this.instantiate('runMem')[JIT_EXPORTS.runMem] as RunMem;
    const status = this.runMemFn(mem.length, pktAt, packet.length) as JitStatus;
    // packet runs find their stack where the memory was, and expect it zeroed
    this.bytes.fill(0, memAt, pktAt + packet.length);
    if (status !== JitStatus.Ok) throw new JitRuntimeError(status);
    return view.getBigUint64(R0_ADDR, true);
  }
}

const align = (n: number): number => (n + 15) & ~15;

const batchFunctions = (x: Record<string, unknown>): { runBatch: RunBatch; gather: Gather } => ({
  runBatch: x[JIT_EXPORTS.runBatch] as RunBatch,
  gather: x[JIT_EXPORTS.gather] as Gather,
});

