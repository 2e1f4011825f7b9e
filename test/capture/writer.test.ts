// Writer semantics: backpressure, flush and close resolve only once the bytes are written, errors reach
// the caller, and what cannot be stored is refused with a CaptureWriteError.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureWriteError, createCaptureWriter, readCapture, type CapturedPacket } from '../../src/capture/index.js';
import { ourReading } from './compare.js';

const dir = mkdtempSync(path.join(tmpdir(), 'filterjit-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const packet = (i: number, linktype = 1): CapturedPacket => ({
  linktype,
  timestamp: 1_700_000_000_123_456_789n + BigInt(i),
  caplen: 100,
  wirelen: 1500,
  data: new Uint8Array(100).fill(i & 0xff),
  interface: 0,
});

/** A writable that takes a chunk every few milliseconds (so the writer sees backpressure). */
function slowSink(): { stream: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      setTimeout(() => {
        chunks.push(chunk);
        done();
      }, 2);
    },
  });
  return { stream, bytes: () => Buffer.concat(chunks) };
}

describe('capture writers', () => {
  for (const format of ['pcap', 'pcapng'] as const) {
    it(`${format}: close() resolves after the last byte reached a slow stream; drain() honours backpressure`, async () => {
      const { stream, bytes } = slowSink();
      const w = createCaptureWriter(stream, { format, bufferBytes: 4096 });
      let waits = 0;
      for (let i = 0; i < 2000; i++) {
        if (!w.write(packet(i))) {
          waits++;
          await w.drain();
        }
      }
      await w.close();
      expect(waits).toBeGreaterThan(0);
      expect(stream.writableFinished).toBe(true);
      const back = await ourReading(new PassThrough().end(bytes()));
      expect(back.error).toBeUndefined();
      expect(back.packets.length).toBe(2000);
      expect(back.packets[1999].ns).toBe(packet(1999).timestamp);
    });
  }

  it('flush() writes everything queued and leaves the target open; end: false keeps it open on close()', async () => {
    const { stream, bytes } = slowSink();
    const w = createCaptureWriter(stream, { format: 'pcap', end: false });
    w.write(packet(1));
    await w.flush();
    expect(bytes().length).toBe(24 + 16 + 100);
    w.write(packet(2));
    await w.close();
    expect(bytes().length).toBe(24 + 2 * (16 + 100));
    expect(stream.writableEnded).toBe(false);
    expect(() => w.write(packet(3))).toThrow(CaptureWriteError);
  });

  it('a file target holds every byte once close() resolves, also for an empty capture', async () => {
    const file = path.join(dir, 'out.pcapng');
    const w = createCaptureWriter(file, { format: 'pcapng', precision: 'us' });
    for (let i = 0; i < 5000; i++) if (!w.write(packet(i, i % 2 ? 1 : 113))) await w.drain();
    await w.close();
    const packets = [];
    for await (const p of readCapture(file)) packets.push(p);
    expect(packets.length).toBe(5000);
    expect(packets.map((p) => p.linktype).slice(0, 2)).toEqual([113, 1]);
    expect(packets[3].timestamp).toBe(1_700_000_000_123_456_000n); // microseconds: truncated
    for (const format of ['pcap', 'pcapng'] as const) {
      const empty = path.join(dir, `empty.${format}`);
      await createCaptureWriter(empty, { format, linktype: 113 }).close();
      const r = await ourReading(empty);
      expect([r.error, r.packets.length]).toEqual([undefined, 0]);
      expect(readFileSync(empty).length).toBe(format === 'pcap' ? 24 : 28 + 32);
    }
  });

  it('refuses a second link type in pcap, and caplen beyond the data', () => {
    const w = createCaptureWriter(new PassThrough(), { format: 'pcap' });
    w.write(packet(1, 1));
    expect(() => w.write(packet(2, 113))).toThrow(/one link type/);
    expect(() => w.write({ ...packet(3), caplen: 101 })).toThrow(CaptureWriteError);
  });

  it('reports a target that cannot be written', async () => {
    const w = createCaptureWriter(path.join(dir, 'no/such/dir/out.pcap'), { format: 'pcap' });
    w.write(packet(1));
    await expect(w.close()).rejects.toThrow(/ENOENT/);
  });
});
