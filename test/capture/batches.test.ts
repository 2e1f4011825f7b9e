// The zero-copy batch interface, the caller's memory (allocate), standard input and gzip.
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  batchPacket, batchTimestamp, CaptureFormatError, readBatches, readCapture, readFileBatchesSync, type CaptureBatch,
} from '../../src/capture/index.js';
import { differentialCaptures } from '../support/differential.js';
import { capturePath } from '../support/corpus.js';
import { PROJECT_ROOT } from '../support/oracle.js';
import { ourReading, packetDifference } from './compare.js';
import { PcapngBuilder, pcapFile } from './capture-builders.js';

const AFS = capturePath('afs.pcap'); // the biggest corpus file, 521,916 bytes
const MULTI = capturePath('crafted/multi-interface.pcapng');

describe('readBatches', () => {
  it('describes every record by offset, caplen and wirelen into the batch buffer', async () => {
    const packets = [];
    for await (const p of readCapture(AFS)) packets.push(p);
    let seen = 0;
    let batches = 0;
    for await (const batch of readBatches(AFS, { batchBytes: 32 * 1024 })) {
      batches++;
      expect(batch.count).toBeGreaterThan(0);
      for (let i = 0; i < batch.count; i++, seen++) {
        const p = packets[seen];
        expect(batch.buffer.subarray(batch.offsets[i], batch.offsets[i] + batch.caplens[i])).toEqual(p.data);
        expect([batch.caplens[i], batch.wirelens[i], batchTimestamp(batch, i)]).toEqual([p.caplen, p.wirelen, p.timestamp]);
        expect(batch.offsets[i] + batch.caplens[i]).toBeLessThanOrEqual(batch.end);
      }
      expect(batch.linktype).toBe(1);
    }
    expect(seen).toBe(packets.length);
    expect(batches).toBeGreaterThan(10);
  });

  it('reads into the memory the allocate callback hands out, and covers the input without gaps', async () => {
    const memory = new Uint8Array(1 << 20);
    const sizes: number[] = [];
    let nextInput = 0;
    const allocate = (size: number): Uint8Array => {
      sizes.push(size);
      return memory.subarray(4096, 4096 + size); // e.g. past a filter's own data in wasm memory
    };
    const reference = await ourReading(AFS);
    const got: Uint8Array[] = [];
    for await (const batch of readBatches(AFS, { batchBytes: 50_000, allocate })) {
      expect(batch.buffer.buffer).toBe(memory.buffer);
      expect(batch.buffer.byteOffset).toBe(4096);
      expect(batch.inputOffset).toBe(nextInput);
      nextInput = batch.inputOffset + batch.end;
      for (let i = 0; i < batch.count; i++) got.push(batchPacket(batch, i).data);
    }
    expect(nextInput).toBe(readFileSync(AFS).length);
    expect(got.length).toBe(reference.packets.length);
    expect(sizes.every((s) => s >= 50_000 && s < 1 << 20)).toBe(true);
  });

  it('grows a batch for a record bigger than batchBytes, without trusting a length past the data', async () => {
    const big = new Uint8Array(200_000).map((_, i) => i * 7);
    const file = new PcapngBuilder().shb().idb(1, 0).epb(0, 1n, big.length, big).epb(0, 2n, 10, big.subarray(0, 10)).bytes();
    const sizes: number[] = [];
    const counts: number[] = [];
    for await (const batch of readBatches(Readable.from([file]), { batchBytes: 1000, allocate: (n) => (sizes.push(n), new Uint8Array(n)) })) {
      counts.push(batch.count);
      expect(batch.buffer.subarray(batch.offsets[0], batch.offsets[0] + batch.caplens[0])).toEqual(counts.length === 1 ? big : big.subarray(0, 10));
    }
    expect(counts.reduce((a, b) => a + b)).toBe(2);
    expect(Math.max(...sizes)).toBeLessThan(2 * file.length);
    // A block announcing 16 MB, with 4 KB present: an error, and no buffer near 16 MB.
    const cut = new PcapngBuilder().shb().idb(1, 0).epb(0, 1n, 4000, new Uint8Array(4000)).bytes();
    new DataView(cut.buffer).setUint32(cut.length - 4032 + 4, 16 * 1024 * 1024 - 4, true);
    sizes.length = 0;
    await expect(async () => {
      for await (const _ of readBatches(Readable.from([cut]), { batchBytes: 1000, allocate: (n) => (sizes.push(n), new Uint8Array(n)) }));
    }).rejects.toThrow(CaptureFormatError);
    expect(Math.max(...sizes)).toBeLessThan(20_000);
  });

  it('refuses a captured length over the link type maximum before reading or allocating it', async () => {
    // D-Bus allows 128 MiB records (the largest libpcap allows): 200 MiB is an error, not a 200 MiB buffer.
    for (const [linktype, caplen, reason] of [[231, 200 * 1024 * 1024, /invalid captured length 209715200, bigger than the snaplen of 134217728/], [1, 262145, /bigger than the snaplen of 262144/]] as const) {
      const file = pcapFile(true, { linktype, snaplen: 0 }, [{ seconds: 1, fraction: 0, wirelen: 60, data: new Uint8Array(60) }]);
      new DataView(file.buffer).setUint32(24 + 8, caplen, true);
      const sizes: number[] = [];
      const read = async (): Promise<void> => {
        for await (const _ of readBatches(Readable.from([file]), { allocate: (n) => (sizes.push(n), new Uint8Array(n)) }));
      };
      await expect(read()).rejects.toThrow(reason);
      await expect(read()).rejects.toThrow('at byte offset 24');
      expect(Math.max(...sizes)).toBeLessThan(8 * 1024 * 1024);
    }
  });

  it('marks batches that mix link types', async () => {
    const linktypes = new Set<number>();
    for await (const batch of readBatches(MULTI, { batchBytes: 1 << 20 })) {
      linktypes.add(batch.linktype);
      expect(batch.interfaces.map((i) => i.linktype)).toEqual([1, 113]);
    }
    expect(linktypes).toEqual(new Set([-1]));
  });
});

/** A batch as text: where it lies in the input, and every record's fields and bytes. */
function describeBatch(b: CaptureBatch): string {
  const rows = [`${b.inputOffset} ${b.end} ${b.linktype} ${b.pcapAsRead} ${b.interfaces.length}`];
  for (let i = 0; i < b.count; i++) {
    const data = Buffer.from(b.buffer.subarray(b.offsets[i], b.offsets[i] + b.caplens[i])).toString('hex');
    rows.push(`${b.caplens[i]} ${b.wirelens[i]} ${b.interfaceIds[i]} ${b.tsHigh[i]} ${b.tsLow[i]} ${data}`);
  }
  return rows.join('\n');
}

describe('readFileBatchesSync', () => {
  it('reads every capture of the corpus as readBatches does, batch for batch, fault for fault', async () => {
    let files = 0;
    for (const { path: file } of differentialCaptures()) {
      const expected: string[] = [];
      try {
        for await (const b of readBatches(file, { batchBytes: 4096 })) expected.push(describeBatch(b));
      } catch (e) {
        if (!(e instanceof CaptureFormatError)) throw e;
        expected.push(e.message);
      }
      const got: string[] = [];
      try {
        for (const b of readFileBatchesSync(file, { batchBytes: 4096 })!) got.push(describeBatch(b));
      } catch (e) {
        if (!(e instanceof CaptureFormatError)) throw e;
        got.push(e.message);
      }
      expect(got, file).toEqual(expected);
      files++;
    }
    expect(files).toBeGreaterThan(600);
  }, 300_000);

  it('leaves standard input, gzip files and anything but a regular file to readBatches', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'filterjit-sync-'));
    try {
      const gz = path.join(dir, 'capture.pcap');
      writeFileSync(gz, gzipSync(readFileSync(MULTI)));
      for (const input of ['-', gz, dir, path.join(dir, 'missing.pcap')]) expect(readFileBatchesSync(input), input).toBeUndefined();
      expect(readFileBatchesSync(MULTI)).toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('inputs', () => {
  it('reads standard input, gzip-compressed, given as "-"', async () => {
    const script = path.join(PROJECT_ROOT, 'test/capture/fixtures/count-stdin.ts');
    const tsx = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx');
    const run = spawnSync(tsx, [script], { input: gzipSync(readFileSync(AFS)), encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    const want = await ourReading(AFS);
    expect(run.stdout).toBe(`${want.packets.length} ${want.packets.reduce((n, p) => n + p.caplen, 0)}\n`);
  });

  it('reads a gzip file by its magic, whatever its name', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'filterjit-gz-'));
    try {
      const file = path.join(dir, 'capture.pcap'); // no .gz suffix
      writeFileSync(file, gzipSync(readFileSync(MULTI)));
      expect(packetDifference((await ourReading(MULTI)).packets, (await ourReading(file)).packets)).toBeUndefined();
      // gzip data cut short is a bad file
      writeFileSync(file, gzipSync(readFileSync(MULTI)).subarray(0, 3000));
      const cut = await ourReading(file);
      expect(cut.error).toMatch(/gzip|truncated/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('releases the input when the reader stops early', async () => {
    for (const make of [() => createReadStream(AFS), () => Readable.from([gzipSync(readFileSync(AFS))])]) {
      const stream = make();
      let n = 0;
      for await (const _ of readCapture(stream)) if (++n === 3) break;
      expect(n).toBe(3);
      expect(stream.destroyed).toBe(true);
    }
  });

  it('says which input is bad and where', async () => {
    const r = await ourReading(Readable.from([Buffer.from('GET / HTTP/1.1\r\n\r\n')]), { name: 'request.txt' });
    expect(r.error).toBe('request.txt: unknown file format: neither pcap nor pcapng (at byte offset 0)');
  });
});
