// Input of the reader: a file (read straight into the caller's memory), standard input or any readable
// stream, gunzipped when it starts with the gzip magic.
import { open, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CaptureFormatError } from './errors.js';

export interface ByteSource {
  /** Name for error messages. */
  readonly name: string;
  /** Reads up to `length` bytes into `into` at `offset`; resolves 0 at the end of input only. */
  read(into: Uint8Array, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === GZIP_MAGIC[0] && b[1] === GZIP_MAGIC[1];

class FileSource implements ByteSource {
  constructor(readonly name: string, private readonly fh: FileHandle) {}
  async read(into: Uint8Array, offset: number, length: number): Promise<number> {
    const { bytesRead } = await this.fh.read(into, offset, length, null);
    return bytesRead;
  }
  close(): Promise<void> {
    return this.fh.close();
  }
}

/** Pulls chunks of a readable stream; copies as many already-arrived bytes as fit on each read. */
class StreamSource implements ByteSource {
  private readonly chunks: AsyncIterator<Buffer | string>;
  private pending: Uint8Array[] = [];
  private done = false;
  private delivered = 0;

  constructor(
    readonly name: string,
    private readonly stream: NodeJS.ReadableStream,
    first: Uint8Array | undefined,
    private readonly gzip: boolean,
  ) {
    this.chunks = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
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
      else this.pending.push(typeof next.value === 'string' ? Buffer.from(next.value) : next.value);
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
    if (!this.done) await this.chunks.return?.();
    if (this.gzip) (this.stream as Readable).destroy();
  }
}

function gunzip(name: string, input: NodeJS.ReadableStream, first: Uint8Array | undefined): ByteSource {
  const z = createGunzip();
  const source = first ? Readable.from((async function* () {
    yield first;
    yield* input as AsyncIterable<Buffer>;
  })()) : (input as Readable);
  source.on('error', (e: Error) => z.destroy(e));
  source.pipe(z);
  return new StreamSource(name, z, undefined, true);
}

/** Reads the first chunk of a stream (at least 2 bytes unless it ends), to sniff the gzip magic. */
async function peek(stream: NodeJS.ReadableStream): Promise<{ head: Uint8Array; rest: NodeJS.ReadableStream }> {
  const it = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  while (size < 2) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    parts.push(chunk);
    size += chunk.length;
  }
  const head = Buffer.concat(parts);
  const rest = Readable.from((async function* () {
    if (ended) return;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  })());
  return { head, rest };
}

/** Opens a path, '-' (standard input) or a readable stream as a ByteSource. */
export async function openByteSource(input: string | NodeJS.ReadableStream, name?: string): Promise<ByteSource> {
  if (typeof input === 'string' && input !== '-') {
    const fh = await open(input, 'r');
    const label = name ?? input;
    try {
      const magic = new Uint8Array(2);
      const { bytesRead } = await fh.read(magic, 0, 2, 0);
      if (bytesRead === 2 && isGzip(magic)) {
        await fh.close();
        return gunzip(label, createReadStream(input), undefined);
      }
      return new FileSource(label, fh);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }
  const stream = typeof input === 'string' ? process.stdin : input;
  const label = name ?? (typeof input === 'string' ? 'standard input' : 'stream');
  const { head, rest } = await peek(stream);
  if (isGzip(head)) return gunzip(label, rest, head);
  return new StreamSource(label, rest, head, false);
}
