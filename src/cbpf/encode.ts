// The 8-byte `struct bpf_insn` image (what SO_ATTACH_FILTER / struct sock_fprog point at):
//   bytes 0-1 code (u16), byte 2 jt (u8), byte 3 jf (u8), bytes 4-7 k (u32), in host byte order.

import { endianness } from 'node:os';
import type { Insn } from './insn.js';

/** Size of one classic BPF instruction in bytes. */
export const CBPF_INSN_SIZE = 8;

/** Thrown when a byte image cannot be decoded, or an instruction cannot be encoded. */
export class CbpfEncodeError extends Error {
  override readonly name = 'CbpfEncodeError';
}

export interface CbpfEncodeOptions {
  /** Byte order of the u16/u32 fields; defaults to the host's (the kernel reads the struct in host order). */
  littleEndian?: boolean;
}

const hostLittleEndian = endianness() === 'LE';

/** Encode a program into its `struct bpf_insn[]` image. Fields out of range are an error, not truncated. */
export function encodeCbpf(program: readonly Insn[], options: CbpfEncodeOptions = {}): Uint8Array {
  const le = options.littleEndian ?? hostLittleEndian;
  const bytes = new Uint8Array(program.length * CBPF_INSN_SIZE);
  const view = new DataView(bytes.buffer);
  program.forEach((insn, i) => {
    checkField(i, 'code', insn.code, 0xffff);
    checkField(i, 'jt', insn.jt, 0xff);
    checkField(i, 'jf', insn.jf, 0xff);
    checkField(i, 'k', insn.k, 0xffffffff);
    const at = i * CBPF_INSN_SIZE;
    view.setUint16(at, insn.code, le);
    view.setUint8(at + 2, insn.jt);
    view.setUint8(at + 3, insn.jf);
    view.setUint32(at + 4, insn.k, le);
  });
  return bytes;
}

/** Decode a `struct bpf_insn[]` image; its length must be a multiple of 8. */
export function decodeCbpf(bytes: Uint8Array, options: CbpfEncodeOptions = {}): Insn[] {
  const le = options.littleEndian ?? hostLittleEndian;
  if (bytes.length % CBPF_INSN_SIZE !== 0) {
    throw new CbpfEncodeError(`program image is ${bytes.length} bytes, not a multiple of ${CBPF_INSN_SIZE}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const program: Insn[] = [];
  for (let at = 0; at < bytes.length; at += CBPF_INSN_SIZE) {
    program.push({
      code: view.getUint16(at, le),
      jt: view.getUint8(at + 2),
      jf: view.getUint8(at + 3),
      k: view.getUint32(at + 4, le),
    });
  }
  return program;
}

function checkField(index: number, name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new CbpfEncodeError(`instruction ${index}: ${name} ${value} is not an integer in 0..${max}`);
  }
}
