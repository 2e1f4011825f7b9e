// Code generation: a filter's AST to a classic BPF program with libpcap's meaning, for a link type.
//
//   compileAst(ast, { linktype: 'EN10MB' }) -> { program, warnings }
//
// The program is optimized (unless optimize: false) and laid out with 8-bit jump offsets.
// Where libpcap refuses to compile because "expression rejects all packets", we compile a
// program that rejects every packet and say so in `warnings`.
import { BPF_K, BPF_RET, type Insn, insn } from '../cbpf/insn.js';
import type { Expr } from '../grammar/ast.js';
import { FilterError } from '../grammar/errors.js';
import { parse } from '../grammar/index.js';
import { emitProgram } from './blocks.js';
import { CompileError, REJECTS_ALL_PACKETS } from './errors.js';
import { linkLayout, resolveLinktype } from './linktypes.js';
import { SystemResolver, type NameResolver } from './names.js';
import { layout, optimize, RejectsAllPacketsError } from './optimizer/index.js';
import { genExpr } from './primitives.js';
import { addPrologue } from './prologue.js';
import { Gen } from './state.js';

export { resolveLinktype, dltName, DLT } from './linktypes.js';
export { SystemResolver, TableResolver, type NameResolver, type HostAddr, type ServicePorts } from './names.js';

export const PCAP_NETMASK_UNKNOWN = 0xffffffff;

export interface CompileOptions {
  /** DLT name as `tcpdump -y` takes it, or DLT number */
  linktype: number | string;
  /** value accepting paths return (default 262144) */
  snaplen?: number;
  /** IPv4 netmask for `ip broadcast` (default unknown) */
  netmask?: number;
  /** run the optimizer (default true) */
  optimize?: boolean;
  resolver?: NameResolver;
  /** Linux BPF extensions (live capture on Linux): kernel metadata for vlan, inbound/outbound, ifindex */
  linuxExt?: boolean;
  /** code for reading a savefile of this byte order (DLT_NULL/LOOP-style AF values); default live */
  offline?: 'unswapped' | 'swapped';
  /** the expression text, for error positions */
  expression?: string;
}

export interface CompileResult {
  /** classic BPF program with 8-bit jump offsets */
  program: Insn[];
  /** e.g. libpcap's "expression rejects all packets" (then the program rejects every packet) */
  warnings: string[];
}

/** A refusal to compile, pointing into the expression (same decisions as libpcap). */
export class FilterCompileError extends FilterError {
  override name = 'FilterCompileError';
}

let defaultResolver: NameResolver | undefined;

/** The unoptimized "wide" program (jump offsets may exceed 255), and whether optimizing is allowed. */
export function generate(ast: Expr, opts: CompileOptions): { program: Insn[]; optimizable: boolean } {
  const dlt = resolveLinktype(opts.linktype);
  const snaplen = opts.snaplen ?? 262144;
  if (ast.kind === 'empty') return { program: [insn(BPF_RET | BPF_K, snaplen)], optimizable: true };
  const g = new Gen(dlt, linkLayout(dlt), {
    snaplen,
    netmask: opts.netmask ?? PCAP_NETMASK_UNKNOWN,
    resolver: opts.resolver ?? (defaultResolver ??= new SystemResolver()),
    linuxExt: opts.linuxExt ?? false,
    offline: opts.offline ?? null,
  });
  const root = addPrologue(g, genExpr(g, ast));
  return { program: emitProgram(root, snaplen), optimizable: !g.noOptimize };
}

export function compileAst(ast: Expr, opts: CompileOptions): CompileResult {
  let wide: { program: Insn[]; optimizable: boolean };
  try {
    wide = generate(ast, opts);
  } catch (err) {
    if (err instanceof CompileError) {
      const span = err.span ?? ast.span;
      // without the text, keep the column right (FilterError clamps spans to the text)
      throw new FilterCompileError(err.message, opts.expression ?? ' '.repeat(span.end), span);
    }
    throw err;
  }
  const warnings: string[] = [];
  let program = wide.program;
  if ((opts.optimize ?? true) && wide.optimizable) {
    try {
      program = optimize(program);
    } catch (err) {
      if (!(err instanceof RejectsAllPacketsError)) throw err;
      warnings.push(REJECTS_ALL_PACKETS);
      program = err.program;
    }
  }
  return { program: layout(program), warnings };
}

/** parse + compileAst */
export function compileFilter(expression: string, opts: CompileOptions): CompileResult {
  return compileAst(parse(expression), { ...opts, expression });
}
