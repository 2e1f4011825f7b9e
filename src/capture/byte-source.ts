// Input of the reader: a file (read straight into the caller's memory), standard input or any readable
// stream, gunzipped when it starts with the gzip magic.
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { CaptureFormatError } from './errors.js';

export interface ByteSource {
  /** Name for error messages. */
  readonly name: string;
  /** Reads up to `length` bytes into `into` at `offset`; resolves 0 at the end of input only. */
  read(into: Uint8Array, offset: number, length: number): Promise<number>;
  /** Releases the input (closes the file, stops the stream); safe to call at any point. */
  close(): Promise<void>;
}

type Chunks = AsyncIterator<Buffer | string>;
const asBytes = (chunk: Buffer | string): Uint8Array => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * A file read with plain read(2) calls: the reader asks for one large piece at a time and waits for it
 * anyway, and a round trip through libuv's thread pool per piece costs more than the read itself (two
 * thread wake-ups, each a wait for a CPU on a busy machine).
 */
export class FileSource implements ByteSource {
  private fd: number | undefined;
  constructor(readonly name: string, fd: number) {
    this.fd = fd;
  }
  readSync(into: Uint8Array, offset: number, length: number): number {
    if (this.fd === undefined) return 0;
    return readSync(this.fd, into, offset, length, null);
  }
  closeSync(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
  async read(into: Uint8Array, offset: number, length: number): Promise<number> {
    return this.readSync(into, offset, length);
  }
  async close(): Promise<void> {
    this.closeSync();
  }
}

/** Pulls chunks from an async iterator; each read copies as many already-arrived bytes as fit. */
class ChunkSource implements ByteSource {
  private pending: Uint8Array[] = [];
  private done = false;
  private delivered = 0;

  constructor(
    readonly name: string,
    private readonly chunks: Chunks,
    first: Uint8Array | undefined,
    private readonly gzip: boolean,
    private readonly release: () => Promise<void>,
  ) {
    if (first && first.length > 0) this.pending.push(first);
  }

  async read(into: Uint8Array, offset: number, length: number): Promise<number> {
    if (this.pending.length === 0 && !this.done) {
      let next: IteratorResult<Buffer | string>;
      try {
        next = await this.chunks.next();
      } catch (e) {
        if (!this.gzip) throw e;
        // A corrupt or cut gzip stream is a bad file, not an I/O failure.
        throw new CaptureFormatError(this.name, this.delivered, `bad gzip data: ${(e as Error).message}`);
      }
      if (next.done) this.done = true;
      else this.pending.push(asBytes(next.value));
    }
    let n = 0;
    while (n < length && this.pending.length > 0) {
      const chunk = this.pending[0];
      const take = Math.min(chunk.length, length - n);
      into.set(take === chunk.length ? chunk : chunk.subarray(0, take), offset + n);
      n += take;
      if (take === chunk.length) this.pending.shift();
      else this.pending[0] = chunk.subarray(take);
    }
    this.delivered += n;
    return n;
  }

  async close(): Promise<void> {
    this.pending = [];
    this.done = true;
    await this.release();
  }
}

/** Decompresses `head` followed by the rest of `chunks` (zlib and streams are loaded only for gzip input). */
async function gunzip(name: string, head: Uint8Array, chunks: Chunks): Promise<ByteSource> {
  const { createGunzip } = await import('node:zlib');
  const { Readable } = await import('node:stream');
  const compressed = Readable.from((async function* () {
    if (head.length > 0) yield head;
    for (let r = await chunks.next(); !r.done; r = await chunks.next()) yield asBytes(r.value);
  })());
  const z = createGunzip();
  compressed.on('error', (e: Error) => z.destroy(e));
  compressed.pipe(z);
  return new ChunkSource(name, z[Symbol.asyncIterator](), undefined, true, async () => {
    compressed.destroy();
    z.destroy();
    await chunks.return?.();
  });
}

/** The first chunks of a stream, until 2 bytes (to sniff the gzip magic) or its end. */
async function firstBytes(chunks: Chunks): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  while (size < 2) {
    const next = await chunks.next();
    if (next.done) break;
    parts.push(asBytes(next.value));
    size += parts[parts.length - 1].length;
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/** True for a path naming a regular file; false for anything else, including a path that does not exist. */
function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * A regular file that is not gzip-compressed, opened; undefined for anything else. Anything but a
 * regular file (a FIFO waiting for its writer, a device; or an error to report) is read as a stream, so
 * that waiting never blocks the event loop.
 */
export function openFileSource(path: string, name: string): FileSource | undefined {
  return path !== '-' && isRegularFile(path) ? openUncompressed(path, name) : undefined;
}

/** A regular file opened, when its first bytes are no gzip magic; undefined (and closed) when they are. */
function openUncompressed(path: string, name: string): FileSource | undefined {
  const fd = openSync(path, 'r');
  let magic: Uint8Array;
  try {
    magic = new Uint8Array(2);
    magic = magic.subarray(0, readSync(fd, magic, 0, 2, 0));
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  if (!isGzip(magic)) return new FileSource(name, fd);
  closeSync(fd);
  return undefined;
}

/** Opens a path, '-' (standard input) or a readable stream as a ByteSource. */
export async function openByteSource(input: string | NodeJS.ReadableStream, name?: string): Promise<ByteSource> {
  if (typeof input === 'string' && input !== '-') {
    const label = name ?? input;
    if (!isRegularFile(input)) return streamSource(createReadStream(input), label);
    return openUncompressed(input, label) ?? gunzip(label, new Uint8Array(0), createReadStream(input)[Symbol.asyncIterator]());
  }
  const stream = typeof input === 'string' ? process.stdin : input;
  return streamSource(stream, name ?? (typeof input === 'string' ? 'standard input' : 'stream'));
}

/** A stream as a ByteSource, gunzipped when it starts with the gzip magic. */
async function streamSource(stream: NodeJS.ReadableStream, label: string): Promise<ByteSource> {
  const chunks = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const head = await firstBytes(chunks);
  if (isGzip(head)) return gunzip(label, head, chunks);
  return new ChunkSource(label, chunks, head, false, async () => {
    await chunks.return?.();
  });
}
