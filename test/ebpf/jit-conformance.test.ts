// The whole eBPF conformance suite (../shared/conformance/ebpf) through the JIT: every test must give the
// expected 64-bit r0, as on the VM (callx included: the JIT, like the VM, runs 0x8d as uBPF does).
import { describe, expect, it } from 'vitest';
import { compileJit } from '../../src/ebpf/jit/index.js';
import { ebpfConformanceNegatives, ebpfConformanceTests, programOf } from '../support/ebpf-conformance.js';

const tests = ebpfConformanceTests();

describe('eBPF conformance suite through the JIT', () => {
  it('has all 313 tests', () => {
    expect(tests).toHaveLength(313);
  });

  it.each(tests)('$name', (t) => {
    expect(t.result).toBeDefined();
    const jit = compileJit(programOf(t));
    expect(jit.runMemory(t.mem)).toBe(t.result);
  });

  it('runs the harness self-test to its true value', () => {
    const wrong = ebpfConformanceNegatives().find((n) => n.name === 'negative/incorrect_return_value_high_bits')!;
    expect(compileJit(programOf(wrong)).runMemory(wrong.mem)).toBe(0x8877665544332211n);
  });
});
