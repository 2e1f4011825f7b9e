// Batches read into WebAssembly memory, where the reader walks pcap records in WebAssembly: on every
// capture of the corpus (and the crafted and broken ones) they describe exactly the records the
// JavaScript parser finds in a plain buffer, and fail at the same byte with the same message.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureFormatError, readBatches, type BatchReadOptions } from '../../src/capture/index.js';
import { plainRecordWalk } from '../../src/capture/pcap-scan.js';
import { WebAssemblyApi } from '../../src/ebpf/jit/wasm-api.js';
import { differentialCaptures } from '../support/differential.js';
import { corpusIndex, extraCaptures } from '../support/corpus.js';

const PAGE = 65536;
const BASE = 4096; // a buffer that does not start at address 0

/** An allocator on WebAssembly memory leaving just `scratch(size)` bytes past each buffer (the end of memory). */
function wasmAllocator(scratch: (size: number) => number): Required<Pick<BatchReadOptions, 'allocate' | 'walkOf'>> {
  const memory = new WebAssemblyApi.Memory({ initial: 1 });
  return {
    allocate: (size) => {
      const need = BASE + size + scratch(size) + 8;
      if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
      const at = (memory.buffer.byteLength - scratch(size) - size) & ~7;
      return new Uint8Array(memory.buffer, at, size);
    },
    walkOf: (buffer) => (buffer.buffer === memory.buffer ? plainRecordWalk(memory) : undefined),
  };
}

/** Everything a batch says about its records, and how the reading ended. */
async function reading(
  input: string | Uint8Array, options: BatchReadOptions, batchBytes = 64 * 1024,
): Promise<{ batches: string[]; error?: string }> {
  const batches: string[] = [];
  const source = typeof input === 'string' ? input : Readable.from([input]);
  try {
    for await (const b of readBatches(source, { ...options, batchBytes })) {
      const rows: string[] = [];
      for (let i = 0; i < b.count; i++) {
        const data = Buffer.from(b.buffer.subarray(b.offsets[i], b.offsets[i] + b.caplens[i])).toString('hex');
        rows.push(`${b.offsets[i]} ${b.caplens[i]} ${b.wirelens[i]} ${b.interfaceIds[i]} ${b.tsHigh[i]} ${b.tsLow[i]} ${data}`);
      }
      batches.push(`${b.inputOffset} ${b.end} ${b.linktype} ${b.pcapAsRead}\n${rows.join('\n')}`);
    }
  } catch (e) {
    if (!(e instanceof CaptureFormatError)) throw e;
    return { batches, error: e.message };
  }
  return { batches };
}

describe('pcap records walked in WebAssembly memory', () => {
  const files = [...differentialCaptures().map((c) => c.path), ...extraCaptures('invalid').map((c) => c.path)];

  it.each([
    ['room for every record', (size: number) => 2 * size],
    ['room for a few records per round', () => 100],
  ])('same records and errors as in a plain buffer, %s', async (_name, scratch) => {
    let records = 0;
    for (const file of files) {
      const plain = await reading(file, {});
      const inWasm = await reading(file, wasmAllocator(scratch));
      expect(inWasm, file).toEqual(plain);
      records += plain.batches.reduce((n, b) => n + b.split('\n').length - 1, 0);
    }
    expect(files.length).toBeGreaterThan(600);
    expect(records).toBeGreaterThan(10_000);
  }, 300_000);

  it('a batch says its records are as the file holds them only when their pcap headers say exactly its arrays', async () => {
    let asRead = 0;
    let notAsRead = 0;
    for (const file of files) {
      try {
        for await (const b of readBatches(file, { ...wasmAllocator((size) => 2 * size), batchBytes: 64 * 1024 })) {
          if (!b.pcapAsRead) {
            notAsRead += b.count;
            continue;
          }
          const view = new DataView(b.buffer.buffer, b.buffer.byteOffset, b.buffer.length);
          for (let i = 0; i < b.count; i++) {
            const at = b.offsets[i] - 16;
            const header = [0, 4, 8, 12].map((k) => view.getUint32(at + k, true));
            expect(header, `${file} record ${i}`).toEqual([b.tsHigh[i], b.tsLow[i], b.caplens[i], b.wirelens[i]]);
          }
          asRead += b.count;
        }
      } catch (e) {
        if (!(e instanceof CaptureFormatError)) throw e;
      }
    }
    expect(asRead).toBeGreaterThan(5_000);
    // big-endian, pcapng, cut and rewritten records are not
    expect(notAsRead).toBeGreaterThan(500);
  }, 300_000);

  it('agrees on mangled little-endian pcap files (lengths, cuts, small batches)', async () => {
    const seeds = corpusIndex()
      .filter((f) => f.format === 'pcap' && f.bytes <= 8192 && !f.notes.includes('big-endian'))
      .map((f) => readFileSync(f.path));
    expect(seeds.length).toBeGreaterThan(50);
    const mangled = fc.record({
      seed: fc.nat(),
      cut: fc.option(fc.nat(), { nil: undefined }),
      // record header bytes are where the walk decides: caplen, wirelen
      edits: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }),
      batchBytes: fc.constantFrom(64, 256, 4096),
    });
    await fc.assert(fc.asyncProperty(mangled, async ({ seed, cut, edits, batchBytes }) => {
      const b = Uint8Array.from(seeds[seed % seeds.length]);
      for (const e of edits) b[24 + (e.at % Math.max(1, b.length - 24))] = e.value;
      const bytes = cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
      const plain = await reading(bytes, {}, batchBytes);
      expect(await reading(bytes, wasmAllocator((size) => 2 * size), batchBytes)).toEqual(plain);
    }), { numRuns: 300, seed: 2026 });
  }, 300_000);
});
