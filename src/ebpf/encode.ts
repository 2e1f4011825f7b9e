// RFC 9669 byte encoding: one instruction per 8-byte slot, little-endian:
//   byte 0 opcode, byte 1 dst (low nibble) | src << 4 (high nibble), bytes 2-3 offset s16, bytes 4-7 imm s32.
// `lddw` (0x18) is two slots; the second slot carries the high 32 bits of the immediate in its imm field.

import type { EbpfInsn } from './insn.js';

/** Size of one instruction slot in bytes. */
export const EBPF_SLOT_SIZE = 8;

/** Thrown when a byte image cannot be decoded into instruction slots. */
export class EbpfDecodeError extends Error {
  override readonly name = 'EbpfDecodeError';
}

/** Encode a program (one EbpfInsn per slot) into its byte image. */
export function encodeEbpf(prog: readonly EbpfInsn[]): Uint8Array {
  const bytes = new Uint8Array(prog.length * EBPF_SLOT_SIZE);
  const view = new DataView(bytes.buffer);
  prog.forEach((insn, i) => writeSlot(view, i * EBPF_SLOT_SIZE, insn));
  return bytes;
}

/** Decode a byte image into slots; its length must be a multiple of 8. */
export function decodeEbpf(bytes: Uint8Array): EbpfInsn[] {
  if (bytes.length % EBPF_SLOT_SIZE !== 0) {
    throw new EbpfDecodeError(`program image is ${bytes.length} bytes, not a multiple of ${EBPF_SLOT_SIZE}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prog: EbpfInsn[] = [];
  for (let at = 0; at < bytes.length; at += EBPF_SLOT_SIZE) prog.push(readSlot(view, at));
  return prog;
}

function writeSlot(view: DataView, at: number, insn: EbpfInsn): void {
  view.setUint8(at, insn.opcode & 0xff);
  view.setUint8(at + 1, (insn.dst & 0x0f) | ((insn.src & 0x0f) << 4));
  view.setInt16(at + 2, insn.off, true);
  view.setInt32(at + 4, insn.imm | 0, true);
}

function readSlot(view: DataView, at: number): EbpfInsn {
  const regs = view.getUint8(at + 1);
  return {
    opcode: view.getUint8(at),
    dst: regs & 0x0f,
    src: regs >> 4,
    off: view.getInt16(at + 2, true),
    imm: view.getInt32(at + 4, true),
  };
}

/** One slot as a 64-bit integer whose little-endian image is the slot (the `-- raw` notation). */
export function slotToU64(insn: EbpfInsn): bigint {
  const bytes = encodeEbpf([insn]);
  return new DataView(bytes.buffer).getBigUint64(0, true);
}

/** Inverse of slotToU64. */
export function u64ToSlot(value: bigint): EbpfInsn {
  const bytes = new Uint8Array(EBPF_SLOT_SIZE);
  new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  return decodeEbpf(bytes)[0]!;
}

/** Decimal dump for `--ebpf -ddd`: a count line, then "opcode dst src offset imm" per slot. */
export function ebpfToDecimal(prog: readonly EbpfInsn[]): string {
  const lines = [String(prog.length)];
  for (const i of prog) lines.push(`${i.opcode & 0xff} ${i.dst & 0x0f} ${i.src & 0x0f} ${i.off} ${i.imm | 0}`);
  return lines.join('\n') + '\n';
}
