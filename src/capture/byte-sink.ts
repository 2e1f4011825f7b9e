// Output of the writers: bytes gathered in large chunks, handed to a Writable with backpressure, and a
// close() that resolves once everything has reached the target.
import { createWriteStream } from 'node:fs';
import { CaptureWriteError } from './errors.js';

export class ByteSink {
  private chunk: Uint8Array;
  view: DataView;
  private used = 0;
  private blocked = false;
  private failure: Error | undefined;
  private closed = false;
  /** Chunks handed to the stream whose write callback has not run yet. */
  private pending = 0;
  private waiting: (() => void)[] = [];
  private readonly stream: NodeJS.WritableStream;
  private readonly endStream: boolean;

  constructor(target: string | NodeJS.WritableStream, private readonly chunkBytes: number, end: boolean | undefined) {
    this.stream = typeof target === 'string' ? createWriteStream(target) : target;
    this.endStream = end ?? (typeof target === 'string' || (target !== process.stdout && target !== process.stderr));
    this.stream.on('error', (e: Error) => {
      this.failure ??= e;
    });
    this.chunk = new Uint8Array(chunkBytes);
    this.view = new DataView(this.chunk.buffer);
  }

  /** The stream wants no more data until it drains. */
  get full(): boolean {
    return this.blocked;
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new CaptureWriteError('write after close()');
  }

  /** Room for `n` bytes: returns the offset in `view`/`bytes` to write them at (valid until the next reserve). */
  reserve(n: number): number {
    this.check();
    if (this.used + n > this.chunk.length) {
      this.handOver();
      if (n > this.chunk.length) {
        this.chunk = new Uint8Array(n);
        this.view = new DataView(this.chunk.buffer);
      }
    }
    const at = this.used;
    this.used += n;
    return at;
  }

  get bytes(): Uint8Array {
    return this.chunk;
  }

  /** Hands the gathered bytes to the stream (the chunk is given away, a new one starts). */
  private handOver(): void {
    if (this.used === 0) return;
    const out = this.chunk.subarray(0, this.used);
    this.chunk = new Uint8Array(this.chunkBytes);
    this.view = new DataView(this.chunk.buffer);
    this.used = 0;
    this.pending++;
    const written = (e?: Error | null): void => {
      if (e) this.failure ??= e;
      this.pending--;
      if (this.pending === 0) for (const settle of this.waiting.splice(0)) settle();
    };
    if (!this.stream.write(out, written)) this.blocked = true;
  }

  /** Resolves when the stream takes more data (at once when it is not backed up). */
  async drain(): Promise<void> {
    this.check();
    if (!this.blocked) return;
    await new Promise<void>((resolve, reject) => {
      const done = (e?: Error): void => {
        this.stream.off('drain', onDrain);
        this.stream.off('error', done);
        this.blocked = false;
        if (e) reject(e);
        else resolve();
      };
      const onDrain = (): void => done();
      this.stream.on('drain', onDrain);
      this.stream.on('error', done);
    });
  }

  /** Resolves once every byte given so far has been written to the target (which stays open). */
  async flush(): Promise<void> {
    this.check();
    this.handOver();
    await this.written();
  }

  private written(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const settle = (): void => (this.failure ? reject(this.failure) : resolve());
      if (this.pending === 0) settle();
      else this.waiting.push(settle);
    });
  }

  /** Writes what is left and, unless told not to, ends the stream; resolves when all of it is written. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.check();
    this.handOver();
    this.closed = true;
    if (!this.endStream) return this.written();
    const stream = this.stream;
    await new Promise<void>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const fail = (e: Error): void => reject(e);
      stream.on('error', fail);
      // A file stream has written everything once it is closed; other streams once they finish.
      const isFile = 'path' in stream && 'fd' in stream;
      stream.once(isFile ? 'close' : 'finish', () => {
        stream.off('error', fail);
        resolve();
      });
      stream.end();
    });
  }
}
