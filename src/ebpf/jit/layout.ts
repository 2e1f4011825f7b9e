// Linear-memory layout of a JIT module and the status codes its entry points report.
//
// The VM (vm.ts) gives a program one flat address space: the read-only context (__sk_buff-like,
// SKB_CONTEXT_SIZE bytes) at flat offset 0, the caller's memory right after it, then the stack of
// EBPF_MAX_CALL_FRAMES frames of 512 bytes; a pointer is (POINTER_HI << 32) | flat offset. The JIT
// keeps that flat space at FLAT_ADDR in linear memory, so pointer values, pointer arithmetic and
// out-of-region accesses behave exactly as in the VM.

import { EBPF_MAX_CALL_FRAMES, EBPF_STACK_SIZE } from '../insn.js';
import { SKB_CONTEXT_SIZE } from '../skb.js';
import { EBPF_POINTER_HI } from '../vm.js';

/** High 32 bits of every pointer (the VM's EBPF_POINTER_HI). */
export const POINTER_HI = BigInt(EBPF_POINTER_HI);

/** i32 status word written by every entry point (a JitStatus). */
export const STATUS_ADDR = 0;
/** i64 slot where `run_mem` leaves the full 64-bit r0. */
export const R0_ADDR = 8;
/** i32 word where run_batch leaves what its cache-warming loads read (so they stay in the code). */
export const SCRATCH_ADDR = 16;
/** Two u32 where `gather` leaves the bytes it copied and the packets it took. */
export const GATHER_ADDR = 24;
/** Saved caller state of local calls: per frame, the return index (i32, padded to 8) and r6..r10. */
export const CALLSTACK_ADDR = 64;
export const CALLSTACK_ENTRY = 48;
/** Linear address of flat offset 0 (the context). */
export const FLAT_ADDR = CALLSTACK_ADDR + EBPF_MAX_CALL_FRAMES * CALLSTACK_ENTRY;
export const CTX_SIZE = SKB_CONTEXT_SIZE;
export const STACK_TOTAL = EBPF_MAX_CALL_FRAMES * EBPF_STACK_SIZE;
/** With no caller memory (packet filters) the stack follows the context directly. */
export const PACKET_STACK_FLAT = CTX_SIZE;
/** Where single packets go (16-aligned, after context and stack) and how many bytes fit there. */
export const PACKET_ADDR = (FLAT_ADDR + CTX_SIZE + STACK_TOTAL + 15) & ~15;
export const PACKET_ROOM = 262144; // libpcap's MAXIMUM_SNAPLEN
/** Start of batch data (run_batch's packet offsets count from here); a single run never touches it. */
export const BATCH_ADDR = PACKET_ADDR + PACKET_ROOM;

export const WASM_PAGE = 65536;

/**
 * Bytes of batch descriptors per packet: three u32 arrays (packet offsets from BATCH_ADDR, captured
 * lengths, wire lengths), each `count` entries, one after the other.
 */
export const BATCH_DESC_SIZE = 12;
/** Bytes of every packet run_batch reads ahead of filtering it (they must lie inside memory). */
export const BATCH_TOUCH_BYTES = 64;

/** Why an entry point stopped without a normal exit. */
export enum JitStatus {
  Ok = 0,
  /** load or store outside the context (read-only), the memory and the stack */
  BadAccess = 1,
  /** the instruction budget ran out (a loop that does not end soon enough) */
  Budget = 2,
  /** local calls nested deeper than EBPF_MAX_CALL_FRAMES */
  CallDepth = 3,
  /** what the VM refuses while running: unknown opcode or helper, jump out of the program, falling off the end */
  BadInsn = 4,
}
