// Shared helpers of the optimizer tests: verdict comparison of two programs over packets.
import { runCbpf } from '../../src/cbpf/interpreter.js';
import { BPF_CLASS, BPF_JA, BPF_JMP, BPF_OP, BPF_RET, type Insn } from '../../src/cbpf/insn.js';
import { layout } from '../../src/codegen/optimizer/index.js';
import type { Packet } from '../codegen/packets.js';

/** First packet on which the two programs disagree, as [packet, verdict a, verdict b]. */
export function firstDifference(a: readonly Insn[], b: readonly Insn[], packets: readonly Packet[]): [Packet, number, number] | undefined {
  for (const p of packets) {
    const va = runCbpf(a, p.data, p.wirelen);
    const vb = runCbpf(b, p.data, p.wirelen);
    if (va !== vb) return [p, va, vb];
  }
  return undefined;
}

/** Every packet cut at every length (short packets are where load order matters). */
export function truncations(packets: readonly Packet[]): Packet[] {
  return packets.flatMap((p) => Array.from({ length: p.data.length + 1 }, (_, n) => ({ data: p.data.subarray(0, n), wirelen: p.wirelen })));
}

/** Program ready for the interpreter and for the kernel: 8-bit offsets. */
export const runnable = (wide: readonly Insn[]): Insn[] => layout(wide);

export const hex = (p: Packet): string => Buffer.from(p.data).toString('hex');

/** Deterministic sample of at most n items. */
export function sample<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]);
}

/** Most conditional jumps any packet can run through (longest path; programs only jump forward). */
export function longestBranchPath(prog: Insn[]): number {
  const depth = new Array<number>(prog.length + 1).fill(0);
  for (let i = prog.length - 1; i >= 0; i--) {
    const s = prog[i];
    if (BPF_CLASS(s.code) === BPF_RET) depth[i] = 0;
    else if (BPF_CLASS(s.code) !== BPF_JMP) depth[i] = depth[i + 1];
    else if (BPF_OP(s.code) === BPF_JA) depth[i] = depth[i + 1 + s.k];
    else depth[i] = 1 + Math.max(depth[i + 1 + s.jt], depth[i + 1 + s.jf]);
  }
  return depth[0];
}
