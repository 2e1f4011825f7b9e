// A minimal WebAssembly binary emitter: just the sections and opcodes the eBPF JIT needs.
// Code is built from numbers only (opcodes, LEB128 immediates); no text format is involved.

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export type ValType = typeof I32 | typeof I64;
/** Block type of a block/loop/if that yields nothing. */
const EMPTY_BLOCK = 0x40;

/** The opcodes used by the JIT (WebAssembly 2.0 core numbering). */
export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  br_table: 0x0e,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  global_get: 0x23,
  global_set: 0x24,
  i32_load: 0x28,
  i64_load: 0x29,
  i32_load8_u: 0x2d,
  i32_load16_u: 0x2f,
  i64_load8_s: 0x30,
  i64_load8_u: 0x31,
  i64_load16_s: 0x32,
  i64_load16_u: 0x33,
  i64_load32_s: 0x34,
  i64_load32_u: 0x35,
  i32_store: 0x36,
  i64_store: 0x37,
  i32_store8: 0x3a,
  i32_store16: 0x3b,
  i64_store8: 0x3c,
  i64_store16: 0x3d,
  i64_store32: 0x3e,
  memory_size: 0x3f,
  i32_const: 0x41,
  i64_const: 0x42,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_gt_u: 0x4b,
  i32_le_s: 0x4c,
  i32_le_u: 0x4d,
  i32_ge_s: 0x4e,
  i32_ge_u: 0x4f,
  i64_eqz: 0x50,
  i64_eq: 0x51,
  i64_ne: 0x52,
  i64_lt_s: 0x53,
  i64_lt_u: 0x54,
  i64_gt_s: 0x55,
  i64_gt_u: 0x56,
  i64_le_s: 0x57,
  i64_le_u: 0x58,
  i64_ge_s: 0x59,
  i64_ge_u: 0x5a,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_s: 0x6d,
  i32_div_u: 0x6e,
  i32_rem_s: 0x6f,
  i32_rem_u: 0x70,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  i32_shr_u: 0x76,
  i32_rotl: 0x77,
  i32_rotr: 0x78,
  i64_add: 0x7c,
  i64_sub: 0x7d,
  i64_mul: 0x7e,
  i64_div_s: 0x7f,
  i64_div_u: 0x80,
  i64_rem_s: 0x81,
  i64_rem_u: 0x82,
  i64_and: 0x83,
  i64_or: 0x84,
  i64_xor: 0x85,
  i64_shl: 0x86,
  i64_shr_s: 0x87,
  i64_shr_u: 0x88,
  i64_rotl: 0x89,
  i64_rotr: 0x8a,
  i32_wrap_i64: 0xa7,
  i64_extend_i32_s: 0xac,
  i64_extend_i32_u: 0xad,
  i32_extend8_s: 0xc0,
  i32_extend16_s: 0xc1,
  i64_extend8_s: 0xc2,
  i64_extend16_s: 0xc3,
  i64_extend32_s: 0xc4,
} as const;

/** A growable byte buffer with LEB128 writers. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  /** Makes room for `n` more bytes. */
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }

  byte(b: number): this {
    this.room(1);
    this.buf[this.length++] = b & 0xff;
    return this;
  }

  // One copy, not a call per byte: a module's bytes are copied from body to section to module, and at a
  // run's start this code is still interpreted.
  bytes(bs: ArrayLike<number>): this {
    this.room(bs.length);
    this.buf.set(bs, this.length);
    this.length += bs.length;
    return this;
  }

  /** Unsigned LEB128 of a non-negative 32-bit number. */
  u32(v: number): this {
    let x = v >>> 0;
    do {
      const b = x & 0x7f;
      x >>>= 7;
      this.byte(x !== 0 ? b | 0x80 : b);
    } while (x !== 0);
    return this;
  }

  /** Signed LEB128 of a 32-bit integer. */
  s32(v: number): this {
    let x = v | 0;
    for (;;) {
      const b = x & 0x7f;
      x >>= 7;
      const done = (x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  /** Signed LEB128 of a 64-bit integer. */
  s64(v: bigint): this {
    // most constants fit 32 bits: their encoding is the same, without BigInt arithmetic
    if (v >= -0x80000000n && v <= 0x7fffffffn) return this.s32(Number(v));
    let x = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      const done = (x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  name(s: string): this {
    const enc = new TextEncoder().encode(s);
    return this.u32(enc.length).bytes(enc);
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** A structured-control label: `br(label)` computes the relative depth from the label stack. */
export interface Label {
  /** position in the label stack while the block is open */
  readonly level: number;
}

/** Body of one function: instructions plus the label stack needed to resolve branch depths. */
export class FunctionBody {
  readonly code = new ByteWriter();
  private readonly labels: Label[] = [];
  private readonly locals: ValType[] = [];

  constructor(readonly paramCount: number) {}

  /** Declares a local and returns its index (after the parameters). */
  local(type: ValType): number {
    this.locals.push(type);
    return this.paramCount + this.locals.length - 1;
  }

  op(opcode: number): this {
    this.code.byte(opcode);
    return this;
  }

  i32Const(v: number): this {
    this.code.byte(Op.i32_const).s32(v);
    return this;
  }

  i64Const(v: bigint): this {
    this.code.byte(Op.i64_const).s64(v);
    return this;
  }

  get(local: number): this {
    this.code.byte(Op.local_get).u32(local);
    return this;
  }

  set(local: number): this {
    this.code.byte(Op.local_set).u32(local);
    return this;
  }

  tee(local: number): this {
    this.code.byte(Op.local_tee).u32(local);
    return this;
  }

  call(funcIndex: number): this {
    this.code.byte(Op.call).u32(funcIndex);
    return this;
  }

  /** memory.fill(dest, value, length) on the stack (bulk memory). */
  memoryFill(): this {
    this.code.byte(0xfc).u32(11).byte(0x00);
    return this;
  }

  /** memory.copy(dest, src, length) on the stack (bulk memory; overlapping ranges allowed). */
  memoryCopy(): this {
    this.code.byte(0xfc).u32(10).byte(0x00).byte(0x00);
    return this;
  }

  /** A load or store with its memarg (alignment hint log2, static offset). */
  mem(opcode: number, alignLog2: number, offset = 0): this {
    this.code.byte(opcode).u32(alignLog2).u32(offset);
    return this;
  }

  private open(opcode: number, resultType?: ValType): Label {
    this.code.byte(opcode).byte(resultType ?? EMPTY_BLOCK);
    const label = { level: this.labels.length };
    this.labels.push(label);
    return label;
  }

  block(resultType?: ValType): Label {
    return this.open(Op.block, resultType);
  }

  loop(): Label {
    return this.open(Op.loop);
  }

  if(resultType?: ValType): Label {
    return this.open(Op.if, resultType);
  }

  else(): this {
    this.code.byte(Op.else);
    return this;
  }

  /** Closes the innermost block/loop/if, which must be `label`. */
  end(label: Label): this {
    const top = this.labels.pop();
    if (top !== label) throw new Error('wasm-writer: unbalanced block structure');
    this.code.byte(Op.end);
    return this;
  }

  private depth(label: Label): number {
    if (this.labels[label.level] !== label) throw new Error('wasm-writer: branch to a label that is not open');
    return this.labels.length - 1 - label.level;
  }

  br(label: Label): this {
    this.code.byte(Op.br).u32(this.depth(label));
    return this;
  }

  brIf(label: Label): this {
    this.code.byte(Op.br_if).u32(this.depth(label));
    return this;
  }

  brTable(targets: Label[], otherwise: Label): this {
    this.code.byte(Op.br_table).u32(targets.length);
    for (const t of targets) this.code.u32(this.depth(t));
    this.code.u32(this.depth(otherwise));
    return this;
  }

  /** Encoded function body: local declarations, code, final `end`. */
  encode(): Uint8Array {
    if (this.labels.length !== 0) throw new Error('wasm-writer: unclosed blocks');
    const w = new ByteWriter();
    const groups: Array<[number, ValType]> = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    w.u32(groups.length);
    for (const [n, t] of groups) w.u32(n).byte(t);
    w.bytes(this.code.toBytes()).byte(Op.end);
    return w.toBytes();
  }
}

interface FuncType {
  params: ValType[];
  results: ValType[];
}

interface FuncDef {
  typeIndex: number;
  body: FunctionBody;
}

/**
 * Builds a module with functions, exported by name, over one memory that the instantiating code
 * supplies (the JS side owns every memory, so modules built for one program can share it).
 */
export class ModuleBuilder {
  private readonly types: FuncType[] = [];
  private readonly funcs: FuncDef[] = [];
  private readonly exports: Array<{ name: string; index: number }> = [];

  /** The memory: imports[module][name], of at least `pages` 64 KiB pages. */
  constructor(private readonly memory: { module: string; name: string; pages: number }) {}

  private typeIndex(t: FuncType): number {
    const key = (x: FuncType) => `${x.params.join(',')}>${x.results.join(',')}`;
    const i = this.types.findIndex((u) => key(u) === key(t));
    if (i >= 0) return i;
    this.types.push(t);
    return this.types.length - 1;
  }

  /** Adds a function; the body is filled in by the caller (before `encode`). */
  addFunction(params: ValType[], results: ValType[]): { index: number; body: FunctionBody } {
    const body = new FunctionBody(params.length);
    this.funcs.push({ typeIndex: this.typeIndex({ params, results }), body });
    return { index: this.funcs.length - 1, body };
  }

  /** Exports function `index` as `name`. */
  export(name: string, index: number): void {
    this.exports.push({ name, index });
  }

  encode(): Uint8Array {
    const out = new ByteWriter();
    out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, fill: (w: ByteWriter) => void) => {
      const w = new ByteWriter();
      fill(w);
      out.byte(id).u32(w.length).bytes(w.toBytes());
    };
    section(1, (w) => {
      w.u32(this.types.length);
      for (const t of this.types) {
        w.byte(0x60).u32(t.params.length).bytes(t.params).u32(t.results.length).bytes(t.results);
      }
    });
    const { memory } = this;
    section(2, (w) => w.u32(1).name(memory.module).name(memory.name).byte(0x02).byte(0x00).u32(memory.pages));
    section(3, (w) => {
      w.u32(this.funcs.length);
      for (const f of this.funcs) w.u32(f.typeIndex);
    });
    section(7, (w) => {
      w.u32(this.exports.length);
      for (const e of this.exports) w.name(e.name).byte(0x00).u32(e.index);
    });
    section(10, (w) => {
      w.u32(this.funcs.length);
      for (const f of this.funcs) {
        const b = f.body.encode();
        w.u32(b.length).bytes(b);
      }
    });
    return out.toBytes();
  }
}
