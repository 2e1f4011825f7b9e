// Property tests: the JIT and the VM (src/ebpf/vm.ts, the reference) return the same value — or both
// stop with an error — on random verifier-accepted eBPF programs, on random programs that access memory
// at random offsets (the JIT never reaches outside the regions the VM allows), and on classic programs
// translated by translate.ts, over random packets, one at a time and in batches.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Insn } from '../../src/cbpf/insn.js';
import {
  EBPF_ADD, EBPF_ALU, EBPF_ALU64, EBPF_AND, EBPF_ARSH, EBPF_ATOMIC, EBPF_B, EBPF_CALL, EBPF_CMPXCHG, EBPF_DIV,
  EBPF_DW, EBPF_END, EBPF_EXIT, EBPF_FETCH, EBPF_H, EBPF_JA, EBPF_JEQ, EBPF_JGE, EBPF_JGT, EBPF_JLE, EBPF_JLT,
  EBPF_JMP, EBPF_JMP32, EBPF_JNE, EBPF_JSET, EBPF_JSGE, EBPF_JSGT, EBPF_JSLE, EBPF_JSLT, EBPF_K, EBPF_LDX,
  EBPF_LSH, EBPF_MEM, EBPF_MEMSX, EBPF_MOD, EBPF_MOV, EBPF_MUL, EBPF_NEG, EBPF_OP_LDDW, EBPF_OR, EBPF_RSH,
  EBPF_ST, EBPF_STX, EBPF_SUB, EBPF_W, EBPF_X, EBPF_XCHG, EBPF_XOR, ebpf, type EbpfInsn,
} from '../../src/ebpf/insn.js';
import { compileJit, JitRuntimeError } from '../../src/ebpf/jit/index.js';
import { translateCbpf } from '../../src/ebpf/translate.js';
import { verifyEbpf } from '../../src/ebpf/verifier.js';
import { EbpfRuntimeError, runEbpf, runEbpfFilter } from '../../src/ebpf/vm.js';

/** A small budget keeps runaway loops cheap; both executors get the same one. */
const BUDGET = 3000;
const MEM_LEN = 64;

type Outcome = { value: bigint } | { error: true };

function outcome(run: () => bigint | number): Outcome {
  try {
    return { value: BigInt(run()) };
  } catch (e) {
    if (e instanceof EbpfRuntimeError || e instanceof JitRuntimeError) return { error: true };
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Random eBPF programs.
// A program is built from items; a jump item names its target as another item, resolved to a slot
// offset once lddw (two slots) is laid out. r1 stays the memory pointer, r9 is the loop counter,
// r10 is never written, so every program passes the verifier (checked in the property).

type Item = { insn: EbpfInsn; hi?: number } | { jump: EbpfInsn; to: number };

const interestingImm = fc.oneof(
  fc.constantFrom(0, 1, -1, 2, 7, 8, 16, 31, 32, 33, 63, 64, 0x7fffffff, -0x80000000, 0xff, 0xffff, -2),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }),
);
const dataReg = fc.constantFrom(0, 2, 3, 4, 5, 6, 7, 8);
const anyReadReg = fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
const sizeField = fc.constantFrom(EBPF_B, EBPF_H, EBPF_W, EBPF_DW);
const sizeBytes = (s: number): number => ({ [EBPF_B]: 1, [EBPF_H]: 2, [EBPF_W]: 4, [EBPF_DW]: 8 })[s]!;

const ALU_OPS = [EBPF_ADD, EBPF_SUB, EBPF_MUL, EBPF_DIV, EBPF_OR, EBPF_AND, EBPF_LSH, EBPF_RSH, EBPF_MOD, EBPF_XOR, EBPF_MOV, EBPF_ARSH];
const JUMP_OPS = [EBPF_JEQ, EBPF_JGT, EBPF_JGE, EBPF_JSET, EBPF_JNE, EBPF_JSGT, EBPF_JSGE, EBPF_JLT, EBPF_JLE, EBPF_JSLT, EBPF_JSLE];

const aluItem: fc.Arbitrary<Item> = fc
  .record({
    cls: fc.constantFrom(EBPF_ALU, EBPF_ALU64),
    op: fc.constantFrom(...ALU_OPS),
    x: fc.boolean(),
    dst: dataReg,
    src: anyReadReg,
    imm: interestingImm,
    signed: fc.boolean(),
  })
  .map(({ cls, op, x, dst, src, imm, signed }) => {
    const off = (op === EBPF_DIV || op === EBPF_MOD) && signed ? 1 : 0;
    return { insn: x ? ebpf(cls | op | EBPF_X, dst, src, off, 0) : ebpf(cls | op | EBPF_K, dst, 0, off, imm) };
  });

const unaryItem: fc.Arbitrary<Item> = fc.oneof(
  fc.record({ cls: fc.constantFrom(EBPF_ALU, EBPF_ALU64), dst: dataReg }).map(({ cls, dst }) => ({ insn: ebpf(cls | EBPF_NEG, dst) })),
  // le / be (ALU) and bswap (ALU64, K)
  fc
    .record({ kind: fc.constantFrom(EBPF_ALU | EBPF_K, EBPF_ALU | EBPF_X, EBPF_ALU64 | EBPF_K), dst: dataReg, w: fc.constantFrom(16, 32, 64) })
    .map(({ kind, dst, w }) => ({ insn: ebpf(kind | EBPF_END, dst, 0, 0, w) })),
  // movsx
  fc
    .record({ alu64: fc.boolean(), dst: dataReg, src: anyReadReg, w8: fc.constantFrom(8, 16, 32) })
    .map(({ alu64, dst, src, w8 }) => ({ insn: ebpf((alu64 ? EBPF_ALU64 : EBPF_ALU) | EBPF_MOV | EBPF_X, dst, src, alu64 ? w8 : Math.min(w8, 16), 0) })),
  fc
    .record({ dst: dataReg, lo: fc.integer({ min: -0x80000000, max: 0x7fffffff }), hi: interestingImm })
    .map(({ dst, lo, hi }) => ({ insn: ebpf(EBPF_OP_LDDW, dst, 0, 0, lo), hi })),
);

/** Loads and stores on the stack ([r10-k]) and on the memory r1 points to, in bounds. */
const memItem: fc.Arbitrary<Item> = fc
  .record({
    onStack: fc.boolean(),
    size: sizeField,
    kind: fc.constantFrom('ldx', 'ldsx', 'st', 'stx', 'atomic'),
    reg: dataReg,
    pos: fc.nat(),
    imm: interestingImm,
    atomicOp: fc.constantFrom(EBPF_ADD, EBPF_OR, EBPF_AND, EBPF_XOR, EBPF_XCHG, EBPF_CMPXCHG),
    fetch: fc.boolean(),
  })
  .map(({ onStack, size, kind, reg, pos, imm, atomicOp, fetch }) => {
    let sz = size;
    if (kind === 'ldsx' && sz === EBPF_DW) sz = EBPF_W;
    if (kind === 'atomic' && (sz === EBPF_B || sz === EBPF_H)) sz = EBPF_W;
    const n = sizeBytes(sz);
    const base = onStack ? 10 : 1;
    const off = onStack ? -n - (pos % (512 - n + 1)) : pos % (MEM_LEN - n + 1);
    switch (kind) {
      case 'ldx':
        return { insn: ebpf(EBPF_LDX | EBPF_MEM | sz, reg, base, off) };
      case 'ldsx':
        return { insn: ebpf(EBPF_LDX | EBPF_MEMSX | sz, reg, base, off) };
      case 'st':
        return { insn: ebpf(EBPF_ST | EBPF_MEM | sz, base, 0, off, imm) };
      case 'stx':
        return { insn: ebpf(EBPF_STX | EBPF_MEM | sz, base, reg, off) };
      default: {
        const op = atomicOp === EBPF_XCHG || atomicOp === EBPF_CMPXCHG ? atomicOp : atomicOp | (fetch ? EBPF_FETCH : 0);
        return { insn: ebpf(EBPF_STX | EBPF_ATOMIC | sz, base, reg, off, op) };
      }
    }
  });

const jumpOp = fc.record({
  cls: fc.constantFrom(EBPF_JMP, EBPF_JMP32),
  op: fc.constantFrom(...JUMP_OPS, EBPF_JA),
  x: fc.boolean(),
  dst: anyReadReg,
  src: anyReadReg,
  imm: interestingImm,
});

function jumpInsn(j: { cls: number; op: number; x: boolean; dst: number; src: number; imm: number }): EbpfInsn {
  if (j.op === EBPF_JA) return ebpf(j.cls | EBPF_JA);
  return j.x ? ebpf(j.cls | j.op | EBPF_X, j.dst, j.src) : ebpf(j.cls | j.op | EBPF_K, j.dst, 0, 0, j.imm);
}

interface GenProgram {
  prog: EbpfInsn[];
  mem: Uint8Array;
}

/** Lays out items: a jump item's `to` (an item index, or items.length for the final exit) becomes an offset. */
function layout(items: Item[]): EbpfInsn[] {
  const slotOf: number[] = [];
  let slot = 0;
  for (const it of items) {
    slotOf.push(slot);
    slot += 'insn' in it && it.insn.opcode === EBPF_OP_LDDW ? 2 : 1;
  }
  slotOf.push(slot);
  const out: EbpfInsn[] = [];
  items.forEach((it, i) => {
    if ('insn' in it) {
      out.push(it.insn);
      if (it.insn.opcode === EBPF_OP_LDDW) out.push(ebpf(0, 0, 0, 0, it.hi ?? 0));
      return;
    }
    const rel = slotOf[it.to]! - (slotOf[i]! + 1);
    // ja32 carries its offset in imm
    if (it.jump.opcode === (EBPF_JMP32 | EBPF_JA)) out.push({ ...it.jump, imm: rel });
    else out.push({ ...it.jump, off: rel });
  });
  out.push(ebpf(EBPF_JMP | EBPF_EXIT));
  return out;
}

const programArb: fc.Arbitrary<GenProgram> = fc
  .record({
    init: fc.array(fc.tuple(interestingImm, fc.boolean()), { minLength: 8, maxLength: 8 }),
    body: fc.array(fc.oneof({ weight: 5, arbitrary: aluItem }, { weight: 2, arbitrary: unaryItem }, { weight: 3, arbitrary: memItem }), {
      minLength: 1,
      maxLength: 30,
    }),
    jumps: fc.array(fc.tuple(jumpOp, fc.nat(), fc.nat()), { maxLength: 8 }),
    loop: fc.option(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.nat()), { nil: undefined, freq: 2 }),
    // now and then a loop that never ends: both executors must stop it at the same budget
    spin: fc.nat({ max: 15 }),
    call: fc.option(fc.array(aluItem, { minLength: 1, maxLength: 5 }), { nil: undefined, freq: 2 }),
    mem: fc.uint8Array({ minLength: MEM_LEN, maxLength: MEM_LEN }),
  })
  .map(({ init, body, jumps, loop, spin, call, mem }) => {
    // registers r0, r2..r9 get values (r9 is the loop counter)
    const prologue: Item[] = [0, 2, 3, 4, 5, 6, 7, 8].map((r, k) =>
      init[k]![1] ? { insn: ebpf(EBPF_ALU64 | EBPF_MOV | EBPF_K, r, 0, 0, init[k]![0]) } : { insn: ebpf(EBPF_ALU | EBPF_MOV | EBPF_K, r, 0, 0, init[k]![0]) },
    );
    prologue.push({ insn: ebpf(EBPF_ALU64 | EBPF_MOV | EBPF_K, 9, 0, 0, loop?.[0] ?? 0) });
    const items: Item[] = [...prologue, ...body];
    const bodyStart = prologue.length;
    // forward jumps: inserted at a body position, landing on a later item or the final exit
    for (const [j, at, to] of jumps) {
      const pos = bodyStart + (at % (items.length - bodyStart + 1));
      const target = pos + 1 + (to % (items.length - pos + 1));
      for (const it of items) if ('jump' in it && it.to > pos) it.to++;
      items.splice(pos, 0, { jump: jumpInsn(j), to: target });
    }
    if (loop) {
      // bounded loop: ... r9 -= 1; if r9 != 0 goto (an earlier body item)
      const back = bodyStart + (loop[1] % (items.length - bodyStart));
      items.push({ insn: ebpf(EBPF_ALU64 | EBPF_SUB | EBPF_K, 9, 0, 0, 1) });
      items.push({ jump: ebpf(EBPF_JMP | EBPF_JNE | EBPF_K, 9, 0, 0, 0), to: back });
    }
    if (spin === 0) items.push({ jump: ebpf(EBPF_JMP | EBPF_JA), to: bodyStart });
    let prog: EbpfInsn[];
    if (call) {
      // r0 = sub(r1..r5) before the final exit; the subprogram works on r0 and its arguments only
      const sub: EbpfInsn[] = [ebpf(EBPF_ALU64 | EBPF_MOV | EBPF_X, 0, 2)];
      for (const it of call) {
        const insn = (it as { insn: EbpfInsn }).insn;
        sub.push({ ...insn, dst: insn.dst % 6 === 1 ? 0 : insn.dst % 6, src: insn.src % 6 });
      }
      sub.push(ebpf(EBPF_JMP | EBPF_EXIT));
      // the call goes right before the final exit (jumps to that exit now land on the call); the
      // subprogram starts after the exit, one slot past the call's successor
      const main = layout(items);
      main.splice(main.length - 1, 0, ebpf(EBPF_JMP | EBPF_CALL, 0, 1, 0, 1));
      prog = [...main, ...sub];
    } else {
      prog = layout(items);
    }
    return { prog, mem };
  });

function expectSame(prog: EbpfInsn[], mem: Uint8Array): void {
  const vm = outcome(() => runEbpf(prog, { mem, budget: BUDGET }));
  const jit = outcome(() => compileJit(prog, { budget: BUDGET }).runMemory(mem));
  expect(jit).toEqual(vm);
}

describe('JIT == VM on random verifier-accepted programs', () => {
  it('stops a loop at exactly the same instruction budget as the VM', () => {
    // r0 = 0; r2 = 5; loop: r0 += r2; r2 -= 1; if r2 != 0 goto loop; exit  -> 2 + 5 * 3 + 1 = 18 steps
    const prog = [
      ebpf(EBPF_ALU64 | EBPF_MOV | EBPF_K, 0, 0, 0, 0),
      ebpf(EBPF_ALU64 | EBPF_MOV | EBPF_K, 2, 0, 0, 5),
      ebpf(EBPF_ALU64 | EBPF_ADD | EBPF_X, 0, 2),
      ebpf(EBPF_ALU64 | EBPF_SUB | EBPF_K, 2, 0, 0, 1),
      ebpf(EBPF_JMP | EBPF_JNE | EBPF_K, 2, 0, -3, 0),
      ebpf(EBPF_JMP | EBPF_EXIT),
    ];
    for (const budget of [17, 18, 19]) {
      const vm = outcome(() => runEbpf(prog, { budget }));
      expect(vm).toEqual(budget < 18 ? { error: true } : { value: 15n });
      expect(outcome(() => compileJit(prog, { budget }).runMemory(new Uint8Array(0)))).toEqual(vm);
    }
  });

  it('returns the same r0 (or both stop) for ALU32/64, JMP/JMP32, div/mod by zero, stack, memory, loops, calls', () => {
    fc.assert(
      fc.property(programArb, ({ prog, mem }) => {
        expect(verifyEbpf(prog, { initialized: [1, 2, 10] })).toEqual([]);
        expectSame(prog, mem);
      }),
      { numRuns: 1500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Memory safety: pointers derived from r1 and r10 with random arithmetic, accesses at random offsets.

// Region edges relative to r1 (the context lies 88 bytes below it; the stack follows the memory) and
// to r10 (top of the 4096-byte stack); `MEM_EDGE` stands for the memory's length.
const MEM_EDGE = 0x4000_0000;
const EDGES = [-88, 0, MEM_EDGE, MEM_EDGE + 4096, -4096, -512];
const wildAccess: fc.Arbitrary<EbpfInsn[]> = fc
  .record({
    base: fc.constantFrom(1, 10),
    delta: fc.oneof(
      fc.integer({ min: -5000, max: 5000 }),
      interestingImm,
      fc.tuple(fc.constantFrom(...EDGES), fc.integer({ min: -9, max: 9 })).map(([e, d]) => e + d),
    ),
    off: fc.oneof(fc.integer({ min: -0x8000, max: 0x7fff }), fc.integer({ min: -4, max: 4 })),
    size: sizeField,
    kind: fc.constantFrom('ldx', 'st', 'stx', 'atomic'),
    val: interestingImm,
  })
  .map(({ base, delta, off, size, kind, val }) => {
    const p = 3;
    // r2 holds the memory's length: an edge past the memory is r1 + r2 + (edge - MEM_EDGE)
    const nearMemEnd = delta >= MEM_EDGE - 16 && delta <= MEM_EDGE + 4096 + 16;
    const setup = [
      ebpf(EBPF_ALU64 | EBPF_MOV | EBPF_X, p, base),
      ...(nearMemEnd ? [ebpf(EBPF_ALU64 | EBPF_ADD | EBPF_X, p, 2)] : []),
      ebpf(EBPF_ALU64 | EBPF_ADD | EBPF_K, p, 0, 0, nearMemEnd ? delta - MEM_EDGE : delta),
    ];
    const o = off % 700;
    switch (kind) {
      case 'ldx':
        return [...setup, ebpf(EBPF_LDX | EBPF_MEM | size, 4, p, o), ebpf(EBPF_ALU64 | EBPF_ADD | EBPF_X, 0, 4)];
      case 'st':
        return [...setup, ebpf(EBPF_ST | EBPF_MEM | size, p, 0, o, val)];
      case 'stx':
        return [...setup, ebpf(EBPF_STX | EBPF_MEM | size, p, 0, o)];
      default:
        return [...setup, ebpf(EBPF_STX | EBPF_ATOMIC | (size === EBPF_DW ? EBPF_DW : EBPF_W), p, 0, o, EBPF_ADD | EBPF_FETCH)];
    }
  });

describe('JIT memory safety', () => {
  it('accesses at random offsets from r1 and r10 fault exactly where the VM faults', () => {
    fc.assert(
      fc.property(
        fc.array(wildAccess, { minLength: 1, maxLength: 6 }),
        fc.uint8Array({ maxLength: 40 }),
        (accesses, mem) => {
          const prog = [ebpf(EBPF_ALU64 | EBPF_MOV | EBPF_K, 0, 0, 0, 0), ebpf(EBPF_ALU64 | EBPF_MOV | EBPF_K, 4, 0, 0, 0), ...accesses.flat()];
          // finally read back every byte of memory and a stack word, so stray writes show in r0
          for (let k = 0; k < mem.length; k++) {
            prog.push(ebpf(EBPF_LDX | EBPF_MEM | EBPF_B, 4, 1, k), ebpf(EBPF_ALU64 | EBPF_MUL | EBPF_K, 0, 0, 0, 31), ebpf(EBPF_ALU64 | EBPF_ADD | EBPF_X, 0, 4));
          }
          prog.push(ebpf(EBPF_LDX | EBPF_MEM | EBPF_DW, 4, 10, -8), ebpf(EBPF_ALU64 | EBPF_XOR | EBPF_X, 0, 4), ebpf(EBPF_JMP | EBPF_EXIT));
          expectSame(prog, mem);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('never lets a run read what an earlier run left on the stack (the VM starts from zeroes)', () => {
    // read the slot, then write it: the second run must still read 0
    const direct = [
      ebpf(EBPF_LDX | EBPF_MEM | EBPF_DW, 0, 10, -16),
      ebpf(EBPF_ST | EBPF_MEM | EBPF_DW, 10, 0, -16, 7),
      ebpf(EBPF_JMP | EBPF_EXIT),
    ];
    const viaPointer = [
      ebpf(EBPF_ALU64 | EBPF_MOV | EBPF_X, 2, 10),
      ebpf(EBPF_LDX | EBPF_MEM | EBPF_DW, 0, 2, -300),
      ebpf(EBPF_ST | EBPF_MEM | EBPF_DW, 2, 0, -300, 7),
      ebpf(EBPF_JMP | EBPF_EXIT),
    ];
    for (const prog of [direct, viaPointer]) {
      const jit = compileJit(prog);
      for (let run = 0; run < 3; run++) {
        expect(jit.run(new Uint8Array(4))).toBe(runEbpfFilter(prog, new Uint8Array(4)));
        expect(jit.runBatch([new Uint8Array(4), new Uint8Array(2)])).toEqual(new Uint32Array([0, 0]));
      }
      expect(jit.runMemory(new Uint8Array(8))).toBe(0n);
      expect(jit.run(new Uint8Array(4))).toBe(0);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Classic programs translated by translate.ts, over random packets.

const cbpfInsn = (len: number): fc.Arbitrary<Insn> =>
  fc.oneof(
    // loads: ld/ldh/ldb abs and ind, ldx msh, ld len, ld/ldx imm and mem
    fc.record({ code: fc.constantFrom(0x20, 0x28, 0x30, 0x40, 0x48, 0x50), k: fc.oneof(fc.integer({ min: 0, max: 80 }), fc.constantFrom(0xffffffff, 0x7fffffff, 0xfffff000 + 0x2c)) }).map(
      ({ code, k }) => ({ code, jt: 0, jf: 0, k: k >>> 0 }),
    ),
    fc.record({ code: fc.constantFrom(0xb1, 0x80, 0x81, 0x00, 0x01, 0x60, 0x61, 0x02, 0x03), k: fc.integer({ min: 0, max: 20 }) }).map(({ code, k }) => ({ code, jt: 0, jf: 0, k })),
    // ALU with K and X
    fc.record({ op: fc.constantFrom(0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0), x: fc.boolean(), k: interestingImm }).map(({ op, x, k }) => ({
      code: 0x04 | op | (x ? 0x08 : 0),
      jt: 0,
      jf: 0,
      k: k >>> 0,
    })),
    // tax / txa
    fc.constantFrom<Insn>({ code: 0x07, jt: 0, jf: 0, k: 0 }, { code: 0x87, jt: 0, jf: 0, k: 0 }),
    // conditional jumps forward, and ja (occasionally backward, as protochain does)
    fc.record({ op: fc.constantFrom(0x10, 0x20, 0x30, 0x40), x: fc.boolean(), k: interestingImm, jt: fc.nat({ max: len }), jf: fc.nat({ max: len }) }).map(
      ({ op, x, k, jt, jf }) => ({ code: 0x05 | op | (x ? 0x08 : 0), jt, jf, k: k >>> 0 }),
    ),
    fc.integer({ min: -3, max: len }).map((k) => ({ code: 0x05, jt: 0, jf: 0, k: k >>> 0 })),
    // ret k / ret a
    fc.record({ code: fc.constantFrom(0x06, 0x16), k: fc.constantFrom(0, 1, 65535, 262144, 0xffffffff) }).map(({ code, k }) => ({ code, jt: 0, jf: 0, k: k >>> 0 })),
  );

const cbpfProgram: fc.Arbitrary<Insn[]> = fc
  .integer({ min: 1, max: 24 })
  .chain((len) => fc.array(cbpfInsn(len), { minLength: len, maxLength: len }))
  .map((p) => [...p, { code: 0x16, jt: 0, jf: 0, k: 0 }]);

const packetArb = fc.record({ data: fc.uint8Array({ maxLength: 96 }), extra: fc.nat({ max: 3000 }) });

describe('JIT == VM on translated classic programs', () => {
  it('gives the same verdict on every packet, single and batched', () => {
    fc.assert(
      fc.property(cbpfProgram, fc.array(packetArb, { minLength: 1, maxLength: 12 }), (cbpf, packets) => {
        const prog = translateCbpf(cbpf);
        const jit = compileJit(prog);
        const expected = packets.map((p) => outcome(() => runEbpfFilter(prog, p.data, p.data.length + p.extra)));
        const single = packets.map((p) => outcome(() => jit.run(p.data, p.data.length + p.extra)));
        expect(single).toEqual(expected);
        const batch = jit.runBatch(
          packets.map((p) => p.data),
          packets.map((p) => p.data.length + p.extra),
        );
        expect([...batch].map((v) => ({ value: BigInt(v) }))).toEqual(expected.map((e) => ('value' in e ? e : { value: 0n })));
      }),
      { numRuns: 1500 },
    );
  });

  it('counts the matches of a batch and gathers them with the bytes before each, from a record, up to a limit', () => {
    // records laid out as in a file: `before` header bytes, the packet, sometimes a gap before the next
    const record = fc.record({ header: fc.uint8Array({ minLength: 16, maxLength: 16 }), data: fc.uint8Array({ maxLength: 64 }), gap: fc.constantFrom(0, 0, 0, 5) });
    fc.assert(
      fc.property(
        cbpfProgram, fc.array(record, { maxLength: 24 }), fc.constantFrom(0, 4, 16), fc.nat({ max: 30 }), fc.nat({ max: 30 }),
        (cbpf, records, before, from, limit) => {
          const jit = compileJit(translateCbpf(cbpf));
          const buffer = jit.allocate(records.reduce((n, r) => n + 16 + r.data.length + r.gap, 0));
          const offsets: number[] = [];
          let at = 0;
          for (const r of records) {
            buffer.set(r.header, at);
            buffer.set(r.data, at + 16);
            offsets.push(at + 16);
            at += 16 + r.data.length + r.gap;
          }
          const caplens = records.map((r) => r.data.length);
          const verdicts = [...jit.filterBatch({
            buffer, count: records.length, offsets: Uint32Array.from(offsets), caplens: Uint32Array.from(caplens), wirelens: Uint32Array.from(caplens),
          })];
          expect(jit.batchMatches).toBe(verdicts.filter((v) => v !== 0).length);
          const start = Math.min(from, records.length);
          const expected: number[] = [];
          let taken = 0;
          let next = start;
          for (; next < records.length && taken < limit; next++) {
            if (verdicts[next] === 0) continue;
            const r = records[next];
            expected.push(...r.header.subarray(16 - before), ...r.data);
            taken++;
          }
          const gathered = jit.gatherMatches(before, start, limit);
          expect({ bytes: [...gathered.bytes], taken: gathered.taken, next: gathered.next }).toEqual({ bytes: expected, taken, next });
        },
      ),
      { numRuns: 500 },
    );
  });
});
