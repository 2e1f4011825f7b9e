// readCapture: one CapturedPacket object per packet, for library users (the fast path is readBatches).
import { batchPacket, type CaptureBatch } from './batch.js';
import { readBatches } from './batch-reader.js';
import type { CapturedPacket, ReadOptions } from './types.js';

/**
 * Hands out the records of each batch one by one. A plain iterator object rather than an async generator:
 * a record of the current batch is returned as an already-settled promise, which costs a good deal less
 * per packet than a generator's yield.
 */
class PacketIterator implements AsyncIterableIterator<CapturedPacket> {
  private batch: CaptureBatch | undefined;
  private next_ = 0;

  constructor(private readonly batches: AsyncGenerator<CaptureBatch, void, void>) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<CapturedPacket, undefined>> {
    const batch = this.batch;
    if (batch !== undefined && this.next_ < batch.count) {
      return Promise.resolve({ done: false, value: batchPacket(batch, this.next_++) });
    }
    return this.nextBatch();
  }

  private async nextBatch(): Promise<IteratorResult<CapturedPacket, undefined>> {
    for (;;) {
      const r = await this.batches.next();
      if (r.done) {
        this.batch = undefined;
        return { done: true, value: undefined };
      }
      if (r.value.count > 0) {
        this.batch = r.value;
        this.next_ = 1;
        return { done: false, value: batchPacket(r.value, 0) };
      }
    }
  }

  async return(): Promise<IteratorResult<CapturedPacket, undefined>> {
    this.batch = undefined;
    await this.batches.return();
    return { done: true, value: undefined };
  }
}

/**
 * Reads a pcap or pcapng file (a path, '-' for standard input, or a readable stream; gzip detected by its
 * magic) packet by packet. Each packet owns a copy of its bytes. A bad file ends the iteration with a
 * CaptureFormatError after every good packet before the fault.
 */
export function readCapture(input: string | NodeJS.ReadableStream, options: ReadOptions = {}): AsyncIterableIterator<CapturedPacket> {
  return new PacketIterator(readBatches(input, options));
}
