// The JS side of the JIT (src/ebpf/jit/index.ts): memory handling of single runs and batches.
import { describe, expect, it } from 'vitest';
import {
  EBPF_ABS, EBPF_ALU64, EBPF_B, EBPF_EXIT, EBPF_JMP, EBPF_K, EBPF_LD, EBPF_LDX, EBPF_MEM, EBPF_MOV, EBPF_W, ebpf, type EbpfInsn,
} from '../../src/ebpf/insn.js';
import { compileJit, JitCompileError, JitRuntimeError } from '../../src/ebpf/jit/index.js';
import { runEbpfFilter } from '../../src/ebpf/vm.js';

const exit = ebpf(EBPF_JMP | EBPF_EXIT);
/** r0 = packet[k] (0 when k is past the captured bytes). */
const byteAt = (k: number): EbpfInsn[] => [ebpf(EBPF_LD | EBPF_ABS | EBPF_B, 0, 0, 0, k), exit];
/** r0 = the context's len word (the wire length). */
const wireLength: EbpfInsn[] = [ebpf(EBPF_LDX | EBPF_MEM | EBPF_W, 0, 1, 0), exit];

describe('JIT filter object', () => {
  it('says WebAssembly refused a program too big for it when an entry point is first used', () => {
    // a million 8-byte constant moves: past V8's limit on a function's size
    const prog = Array.from({ length: 1_000_000 }, () => ebpf(EBPF_ALU64 | EBPF_MOV | EBPF_K, 0, 0, 0, 0x7fffffff));
    prog.push(exit);
    const jit = compileJit(prog, { budget: prog.length });
    expect(() => jit.run(Uint8Array.of(1))).toThrow(JitCompileError);
    const view = jit.allocate(1);
    const batch = { buffer: view, count: 1, offsets: Uint32Array.of(0), caplens: Uint32Array.of(1), wirelens: Uint32Array.of(1) };
    expect(() => jit.filterBatch(batch)).toThrow(JitCompileError);
  }, 60_000);

  it('produces a module WebAssembly accepts', () => {
    const wasm = compileJit(byteAt(3)).wasm;
    expect((globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(wasm)).toBe(true);
  });

  it('runs packets longer than any snapshot length, as the VM does', () => {
    const big = new Uint8Array(300_000).map((_, i) => i * 7);
    for (const k of [0, 262_143, 299_999, 300_000]) {
      expect(compileJit(byteAt(k)).run(big)).toBe(runEbpfFilter(byteAt(k), big));
    }
    const jit = compileJit(wireLength);
    expect(jit.run(big, 400_000)).toBe(400_000);
    expect(jit.run(big.subarray(0, 10))).toBe(10);
  });

  it('keeps a batch read into its memory intact across single runs, and copies foreign batches in', () => {
    const jit = compileJit(byteAt(1));
    const packets = [Uint8Array.of(9, 8, 7), Uint8Array.of(1), Uint8Array.of(5, 6)];
    const view = jit.allocate(6);
    view.set([9, 8, 7, 1, 5, 6]);
    const batch = {
      buffer: view,
      count: 3,
      offsets: Uint32Array.of(0, 3, 4),
      caplens: Uint32Array.of(3, 1, 2),
      wirelens: Uint32Array.of(3, 1, 2),
    };
    expect(jit.run(Uint8Array.of(0, 42))).toBe(42);
    expect([...jit.filterBatch(batch)]).toEqual([8, 0, 6]);
    expect([...jit.filterBatch({ ...batch, buffer: Uint8Array.of(9, 8, 7, 1, 5, 6) })]).toEqual([8, 0, 6]);
    expect([...jit.runBatch(packets)]).toEqual([8, 0, 6]);
    expect(jit.runBatch([])).toEqual(new Uint32Array(0));
  });

  it('refuses a batch whose records lie outside its memory instead of reading elsewhere', () => {
    const jit = compileJit(byteAt(0));
    const bogus = {
      buffer: new Uint8Array(4),
      count: 1,
      offsets: Uint32Array.of(0x7fff_0000),
      caplens: Uint32Array.of(4),
      wirelens: Uint32Array.of(4),
    };
    expect(() => jit.filterBatch(bogus)).toThrow(RangeError);
  });

  it('reports a faulting run with JitRuntimeError where the VM throws', () => {
    const prog = [ebpf(EBPF_ALU64 | EBPF_MOV | EBPF_K, 2, 0, 0, 12345), ebpf(EBPF_LDX | EBPF_MEM | EBPF_W, 0, 2, 0), exit];
    expect(() => runEbpfFilter(prog, new Uint8Array(4))).toThrow();
    expect(() => compileJit(prog).run(new Uint8Array(4))).toThrow(JitRuntimeError);
    expect([...compileJit(prog).runBatch([new Uint8Array(4)])]).toEqual([0]);
  });
});
