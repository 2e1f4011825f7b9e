// The library's compiled filter: one expression for one link type, with its classic BPF program,
// the eBPF translation, the WebAssembly JIT, and the engine that runs packets.
import type { Expr } from './grammar/ast.js';
import { parse } from './grammar/index.js';
import { parseDottedQuad } from './grammar/literals.js';
import { compileAst, resolveLinktype, type CompileOptions } from './codegen/index.js';
import type { Insn } from './cbpf/insn.js';
import { runCbpf } from './cbpf/interpreter.js';
import { formatCbpf } from './cbpf/image.js';
import type { EbpfInsn } from './ebpf/insn.js';
import { translateCbpf } from './ebpf/translate.js';
import { runEbpfFilter } from './ebpf/vm.js';
import { compileJit, type JitFilter } from './ebpf/jit/index.js';

export type Engine = 'jit' | 'ebpf' | 'cbpf';

export interface FilterOptions {
  /** DLT name as `tcpdump -y` takes it (EN10MB) or number; default EN10MB. */
  linktype?: number | string;
  /** Value an accepting program returns (default 262144, as libpcap). */
  snaplen?: number;
  /** IPv4 netmask for `ip broadcast` (dotted quad or number). */
  netmask?: number | string;
  /** Run the optimizer (default true), as tcpdump without -O. */
  optimize?: boolean;
  /** Executor used by match() and run(): jit (default), ebpf or cbpf. */
  engine?: Engine;
  /**
   * Compile for reading a capture file of the host's byte order ('unswapped') or the other one
   * ('swapped'), as libpcap does for a savefile: it matters for DLT_NULL-style address families.
   * Default: a live capture.
   */
  offline?: 'unswapped' | 'swapped';
}

export type DumpFormat = 'd' | 'dd' | 'ddd';

export interface Filter {
  readonly expression: string;
  readonly ast: Expr;
  /** DLT_ number the program was compiled for. */
  readonly linktype: number;
  readonly snaplen: number;
  readonly engine: Engine;
  /** Classic BPF program, as libpcap would give it. */
  readonly cbpf: readonly Insn[];
  /** The eBPF translation (kernel-style). */
  readonly ebpf: readonly EbpfInsn[];
  /** The WebAssembly module bytes of the JIT. */
  readonly wasm: Uint8Array;
  /** The JIT'd filter itself (compiled on first use), with its batch interface for capture batches. */
  readonly jit: JitFilter;
  /** Compiler warnings (e.g. libpcap's "expression rejects all packets"). */
  readonly warnings: readonly string[];
  /** The program's return value for a packet (0 = drop; otherwise the snapshot length). */
  run(packet: Uint8Array, wirelen?: number): number;
  /** Whether the packet passes the filter. */
  match(packet: Uint8Array, wirelen?: number): boolean;
  /** The classic BPF program as `tcpdump -d`, `-dd` or `-ddd` prints it. */
  dump(format?: DumpFormat): string;
}

/** A netmask given as a dotted quad ('255.255.255.0'), as a number. */
export function netmaskValue(netmask: string): number {
  const octets = parseDottedQuad(netmask);
  if (octets === null) throw new TypeError(`netmask '${netmask}' is not a dotted quad`);
  return octets.reduce((value, octet) => ((value << 8) | octet) >>> 0, 0);
}

/** Compile a filter expression. Throws a FilterError (with the column) for a bad expression. */
export function compile(expression: string, options: FilterOptions = {}): Filter {
  const ast = parse(expression);
  const linktype = resolveLinktype(options.linktype ?? 'EN10MB');
  const snaplen = options.snaplen ?? 262144;
  const compileOptions: CompileOptions = {
    linktype,
    snaplen,
    netmask: typeof options.netmask === 'string' ? netmaskValue(options.netmask) : options.netmask,
    optimize: options.optimize ?? true,
    offline: options.offline,
    expression,
  };
  const { program, warnings } = compileAst(ast, compileOptions);
  return new CompiledFilter(expression, ast, linktype, snaplen, options.engine ?? 'jit', program, warnings);
}

class CompiledFilter implements Filter {
  private ebpfProgram?: EbpfInsn[];
  private jitFilter?: JitFilter;
  readonly run: (packet: Uint8Array, wirelen?: number) => number;

  constructor(
    readonly expression: string,
    readonly ast: Expr,
    readonly linktype: number,
    readonly snaplen: number,
    readonly engine: Engine,
    readonly cbpf: readonly Insn[],
    readonly warnings: readonly string[],
  ) {
    const program = cbpf;
    switch (engine) {
      case 'cbpf':
        this.run = (packet, wirelen) => runCbpf(program, packet, wirelen ?? packet.length);
        break;
      case 'ebpf': {
        const ebpf = this.ebpf;
        this.run = (packet, wirelen) => runEbpfFilter(ebpf, packet, wirelen ?? packet.length);
        break;
      }
      case 'jit': {
        const jit = this.jit;
        this.run = (packet, wirelen) => jit.run(packet, wirelen ?? packet.length);
        break;
      }
    }
  }

  get ebpf(): readonly EbpfInsn[] {
    this.ebpfProgram ??= translateCbpf(this.cbpf);
    return this.ebpfProgram;
  }

  /** The JIT, compiled on first use. */
  get jit(): JitFilter {
    this.jitFilter ??= compileJit(this.ebpf);
    return this.jitFilter;
  }

  get wasm(): Uint8Array {
    return this.jit.wasm;
  }

  match(packet: Uint8Array, wirelen?: number): boolean {
    return this.run(packet, wirelen) !== 0;
  }

  dump(format: DumpFormat = 'd'): string {
    return formatCbpf(this.cbpf, { format: `-${format}` });
  }
}
