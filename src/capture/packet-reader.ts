// readCapture: one CapturedPacket object per packet, for library users (the fast path is readBatches).
import { batchPacket } from './batch.js';
import { readBatches } from './batch-reader.js';
import type { CapturedPacket, ReadOptions } from './types.js';

/**
 * Reads a pcap or pcapng file (a path, '-' for standard input, or a readable stream; gzip detected by its
 * magic) packet by packet. Each packet owns a copy of its bytes. A bad file ends the iteration with a
 * CaptureFormatError after every good packet before the fault.
 */
export async function* readCapture(
  input: string | NodeJS.ReadableStream,
  options: ReadOptions = {},
): AsyncGenerator<CapturedPacket, void, void> {
  for await (const batch of readBatches(input, options)) {
    for (let i = 0; i < batch.count; i++) yield batchPacket(batch, i);
  }
}
