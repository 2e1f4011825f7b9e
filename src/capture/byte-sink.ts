// Output of the writers: bytes gathered in large chunks, handed to a Writable with backpressure (or written
// to a file path with plain write(2) calls), and a close() that resolves once everything has reached the target.
import { closeSync, createWriteStream, openSync, statSync, writeSync } from 'node:fs';
import { CaptureWriteError } from './errors.js';

/**
 * A file written synchronously, one large chunk at a time: cheaper than a stream's round trip through
 * libuv's thread pool per chunk, and the chunk is reused. An open error is kept for the first write, as a
 * file stream reports it after the fact.
 */
class FileTarget {
  private fd: number | undefined;
  private openError: Error | undefined;

  constructor(path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      this.openError = e as Error;
    }
  }

  write(bytes: Uint8Array): void {
    if (this.openError) throw this.openError;
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd!, bytes, done, bytes.length - done);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * A path that names a regular file or nothing yet (written synchronously); anything else, such as a FIFO
 * whose reader may be this very process, is written through a stream that never blocks the event loop.
 */
function makesRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return true;
  }
}

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
  private readonly stream: NodeJS.WritableStream | FileTarget;
  private readonly endStream: boolean;

  constructor(target: string | NodeJS.WritableStream, private readonly chunkBytes: number, end: boolean | undefined) {
    this.stream = typeof target !== 'string' ? target : makesRegularFile(target) ? new FileTarget(target) : createWriteStream(target);
    this.endStream = end ?? (typeof target === 'string' || (target !== process.stdout && target !== process.stderr));
    if (!(this.stream instanceof FileTarget)) {
      this.stream.on('error', (e: Error) => {
        this.failure ??= e;
      });
    }
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

  /**
   * Queues bytes as they are (the caller may reuse them on return): more than half a chunk go to a file
   * straight from where they are, after what was gathered before them.
   */
  put(bytes: Uint8Array): void {
    this.check();
    if (!(this.stream instanceof FileTarget) || 2 * bytes.length <= this.chunk.length) {
      const at = this.reserve(bytes.length); // (it may start a new chunk)
      this.chunk.set(bytes, at);
      return;
    }
    this.handOver();
    try {
      this.stream.write(bytes);
    } catch (e) {
      this.failure ??= e as Error;
    }
  }

  /** Hands the gathered bytes to the target (a stream gets the chunk and a new one starts; a file is written at once). */
  private handOver(): void {
    if (this.used === 0) return;
    if (this.stream instanceof FileTarget) {
      const used = this.used;
      this.used = 0;
      try {
        this.stream.write(this.chunk.subarray(0, used));
      } catch (e) {
        this.failure ??= e as Error;
      }
      return;
    }
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
    const stream = this.stream as NodeJS.WritableStream; // a FileTarget never blocks
    await new Promise<void>((resolve, reject) => {
      const done = (e?: Error): void => {
        stream.off('drain', onDrain);
        stream.off('error', done);
        this.blocked = false;
        if (e) reject(e);
        else resolve();
      };
      const onDrain = (): void => done();
      stream.on('drain', onDrain);
      stream.on('error', done);
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
    if (this.stream instanceof FileTarget) {
      if (this.endStream) this.stream.close();
      if (this.failure) throw this.failure;
      return;
    }
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
