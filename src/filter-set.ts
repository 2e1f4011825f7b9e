// One expression compiled once per link type met in the input (a pcapng file may mix link types) and,
// for capture files, per byte order (as libpcap compiles for a savefile), with the per-batch verdicts
// of the chosen engine. The command and the library's filterCapture() filter files through it.
import type { CaptureBatch, CaptureInterface } from './capture/index.js';
import { FILTERING_PCAP_WALK, type RecordWalk, type Scan } from './capture/pcap-scan.js';
import type { GatheredMatches, JitFilter } from './ebpf/jit/index.js';
import { compile, type Filter, type FilterOptions } from './filter.js';

export interface FilterSetOptions extends Pick<FilterOptions, 'snaplen' | 'optimize' | 'engine' | 'netmask'> {
  expression: string;
}

export class FilterSet {
  /** compiled filters by link type and savefile byte order (see filterKey) */
  private readonly compiled = new Map<number, Filter>();
  /** the filter whose JIT memory the next batch is read into */
  private current?: Filter;
  private readBuffer = new Uint8Array(0);
  private readonly warned = new Set<string>();
  private readonly engine: NonNullable<FilterOptions['engine']>;
  /** the JIT that gave the last verdicts, when one filter did the whole batch in its own memory */
  private lastJit?: JitFilter;
  /** the last batch, when its verdicts came from the record walk lastJit hosts (not yet in lastJit) */
  private walkedBatch?: CaptureBatch;
  /** the filtering record walk each JIT hosts */
  private readonly walks = new WeakMap<JitFilter, RecordWalk>();

  constructor(
    private readonly opts: FilterSetOptions,
    /** where compiler warnings go (each text once) */
    private readonly onWarning: (text: string) => void,
  ) {
    this.engine = opts.engine ?? 'jit';
  }

  /**
   * The filter for a link type (DLT_ number), compiled on first use: for a live capture, or for a
   * capture file of the given byte order (libpcap compiles differently for a savefile). The snapshot
   * length accepting paths return is the options', else `snaplen`, else compile()'s default.
   */
  forLinktype(linktype: number, snaplen?: number, savefile?: { swapped: boolean }): Filter {
    const offline = savefile === undefined ? undefined : savefile.swapped ? 'swapped' : 'unswapped';
    // a number, not a string: a live capture or filterPackets() looks its filter up for every packet
    const key = linktype * 3 + (offline === undefined ? 0 : offline === 'swapped' ? 1 : 2);
    let filter = this.compiled.get(key);
    if (!filter) {
      filter = compile(this.opts.expression, {
        linktype,
        snaplen: this.opts.snaplen ?? snaplen,
        optimize: this.opts.optimize,
        engine: this.opts.engine,
        netmask: this.opts.netmask,
        offline,
      });
      this.compiled.set(key, filter);
      this.warn(filter);
    }
    return filter;
  }

  private forInterface(iface: CaptureInterface): Filter {
    return this.forLinktype(iface.linktype, iface.snaplen, iface);
  }

  /**
   * Memory for the reader's next batch: with the JIT, the module's own memory of the last link type
   * seen, so the file's bytes are filtered where they were read.
   */
  readonly allocate = (size: number): Uint8Array => {
    if (this.current && this.engine === 'jit') return this.current.jit.allocate(size);
    if (this.readBuffer.length < size) this.readBuffer = new Uint8Array(size);
    return this.readBuffer;
  };

  /**
   * The reader's record walk for a buffer from allocate(): the one the JIT whose memory it is hosts,
   * which filters each record as it finds it (see verdicts()).
   */
  readonly walkOf = (buffer: Uint8Array): RecordWalk | undefined => {
    const jit = this.current?.jit;
    return jit && jit.memory.buffer === buffer.buffer ? this.walkFor(jit) : undefined;
  };

  /** The record walk a JIT hosts (built once per JIT). */
  private walkFor(jit: JitFilter): RecordWalk {
    let walk = this.walks.get(jit);
    if (!walk) {
      walk = { memory: jit.memory, scan: jit.hosted(FILTERING_PCAP_WALK).scan as Scan, filter: jit };
      this.walks.set(jit, walk);
    }
    return walk;
  }

  /** Verdict (program return value) of every record of a batch. */
  verdicts(batch: CaptureBatch): Uint32Array {
    this.lastJit = undefined;
    this.walkedBatch = undefined;
    if (batch.count === 0) {
      // No packets: compile anyway, so that an expression the link type refuses is refused, as tcpdump does.
      for (const iface of batch.interfaces) this.forInterface(iface);
      return new Uint32Array(0);
    }
    if (batch.linktype >= 0) {
      const filter = this.forInterface(batch.interfaces[batch.interfaceIds[0]]);
      if (this.engine === 'jit') {
        this.current = filter;
        this.lastJit = filter.jit;
        // the reader's walk already ran this filter on every record
        const walked = batch.walkVerdicts;
        if (walked?.by === filter.jit) {
          this.walkedBatch = batch;
          return walked.verdicts.subarray(0, batch.count);
        }
        // The rest of a pcap file will be walked: the walk's module brings the batch entry point along,
        // so that the program is compiled to WebAssembly once.
        if (batch.pcapAsRead) this.walkFor(filter.jit);
        return filter.jit.filterBatch(batch);
      }
      return this.eachRecord(batch, () => filter);
    }
    return this.eachRecord(batch, (i) => this.forInterface(batch.interfaces[batch.interfaceIds[i]]));
  }

  /** How many of the last verdicts are non-zero, when the JIT counted them (else undefined). */
  get matchCount(): number | undefined {
    return this.walkedBatch?.walkVerdicts?.matches ?? this.lastJit?.batchMatches;
  }

  /**
   * The last batch's matching records gathered together, each with the `before` bytes preceding it (see
   * JitFilter.gatherMatches), when the JIT filtered that batch (else undefined).
   */
  gatherMatches(before: number, from: number, limit: number): GatheredMatches | undefined {
    const walked = this.walkedBatch?.walkVerdicts;
    if (walked) {
      // the JIT's gather works from its own copy of the batch's descriptors and verdicts
      this.lastJit!.adoptVerdicts(this.walkedBatch!, walked.verdicts, walked.matches);
      this.walkedBatch = undefined;
    }
    return this.lastJit?.gatherMatches(before, from, limit);
  }

  private eachRecord(batch: CaptureBatch, filterOf: (i: number) => Filter): Uint32Array {
    const out = new Uint32Array(batch.count);
    const { buffer, offsets, caplens, wirelens } = batch;
    for (let i = 0; i < batch.count; i++) {
      out[i] = filterOf(i).run(buffer.subarray(offsets[i], offsets[i] + caplens[i]), wirelens[i]);
    }
    return out;
  }

  /** Reports a compiled filter's warnings, each text once. */
  private warn(filter: Filter): void {
    for (const w of filter.warnings) {
      if (!this.warned.has(w)) this.onWarning(w);
      this.warned.add(w);
    }
  }
}
