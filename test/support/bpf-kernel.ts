// Access to the running Linux kernel's eBPF loader and test runner through test/support/bpf-kernel.py
// (python3 + ctypes calling bpf(2)). One python process per call: batch programs and packets.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { encodeEbpf } from '../../src/ebpf/encode.js';
import type { EbpfInsn } from '../../src/ebpf/insn.js';
import { PROJECT_ROOT } from './oracle.js';

const SCRIPT = path.join(PROJECT_ROOT, 'test/support/bpf-kernel.py');

export interface KernelLoad {
  ok: boolean;
  /** errno text when the load failed. */
  error?: string;
  /** Last lines of the verifier log when the load failed. */
  log?: string;
}

export interface KernelResult {
  socket: KernelLoad;
  sched: KernelLoad;
  /**
   * Per packet, the BPF_PROG_TEST_RUN return value of the SCHED_CLS program, or the errno text when the
   * test run failed; null when the program did not load.
   */
  retvals: (number | string)[] | null;
}

function callHelper(request: unknown): unknown {
  const out = spawnSync('python3', [SCRIPT], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 1 << 30 });
  if (out.error) throw new Error(`cannot run python3: ${out.error.message}`);
  if (out.status !== 0) throw new Error(`bpf-kernel.py failed: ${out.stderr.trim()}`);
  return JSON.parse(out.stdout);
}

/** Why the kernel cannot be used here (not Linux, no python3, bpf() refused...), or undefined when it can. */
export function kernelBpfUnavailableReason(): string | undefined {
  try {
    const probe = callHelper({ probe: true }) as { ok: boolean; reason: string };
    return probe.ok ? undefined : probe.reason;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Loads each program as a socket filter and as a tc classifier, and test-runs the classifier on its packets. */
export function runInKernel(programs: { prog: readonly EbpfInsn[]; packets: Uint8Array[] }[]): KernelResult[] {
  const request = {
    programs: programs.map((p) => ({
      insns: Buffer.from(encodeEbpf(p.prog)).toString('hex'),
      packets: p.packets.map((b) => Buffer.from(b).toString('hex')),
    })),
  };
  return (callHelper(request) as { results: KernelResult[] }).results;
}
