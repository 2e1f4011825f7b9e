// The WebAssembly writer's constants, checked by the engine itself: a module returning i32.const v or
// i64.const v must give back v, for values at every LEB128 length boundary and at random.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebAssemblyApi } from '../../src/ebpf/jit/wasm-api.js';
import { I32, I64, ModuleBuilder } from '../../src/ebpf/jit/wasm-writer.js';

/** Calls a module's only function, which returns the constant. */
function constant(type: typeof I32 | typeof I64, value: number | bigint): unknown {
  const m = new ModuleBuilder({ module: 'env', name: 'memory', pages: 0 });
  const { index, body } = m.addFunction([], [type]);
  if (type === I32) body.i32Const(value as number);
  else body.i64Const(value as bigint);
  m.export('f', index);
  const memory = new WebAssemblyApi.Memory({ initial: 0 });
  const instance = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(m.encode()), { env: { memory } });
  return (instance.exports.f as () => unknown)();
}

// 7-bit groups: a value's encoding gets one byte longer past each of these
const edges = [0, 6, 7, 13, 14, 20, 21, 27, 28, 31, 34, 35, 41, 42, 48, 49, 55, 56, 62, 63].flatMap((bits) => {
  const p = 1n << BigInt(bits);
  return [p - 1n, p, p + 1n, -p - 1n, -p, -p + 1n];
});

describe('wasm writer constants', () => {
  it('i64.const at every encoding length boundary', () => {
    for (const v of edges) {
      const want = BigInt.asIntN(64, v);
      expect(constant(I64, want), String(want)).toBe(want);
    }
  });

  it('i32.const at every encoding length boundary', () => {
    for (const v of edges.filter((x) => x >= -(1n << 31n) && x < 1n << 31n)) expect(constant(I32, Number(v))).toBe(Number(v));
  });

  it('random 64-bit and 32-bit constants', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (v) => constant(I64, v) === v), { numRuns: 500 });
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => constant(I32, v) === v), { numRuns: 500 });
  });
});
