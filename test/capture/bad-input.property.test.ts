// Property tests: whatever the bytes, the reader yields packets and then ends or throws a
// CaptureFormatError - never another exception, never a hang - and agrees with libpcap on what it reads.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { oracleAvailable } from '../support/oracle.js';
import { corpusIndex } from '../support/corpus.js';
import { libpcapReading, ourReading, packetDifference, within, type Reading } from './compare.js';
import { PcapngBuilder } from './capture-builders.js';

const dir = mkdtempSync(path.join(tmpdir(), 'filterjit-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

/** Our reading of `bytes` (from a file, with small batches so records straddle batch ends) and libpcap's. */
async function bothReadings(bytes: Uint8Array): Promise<{ ours: Reading; libpcap: Reading }> {
  const file = path.join(dir, `f${fileNo++}`);
  writeFileSync(file, bytes);
  const ours = await within(10_000, 'reading', ourReading(file, { batchBytes: 256 }));
  return { ours, libpcap: libpcapReading(file) };
}

function expectAgreement({ ours, libpcap }: { ours: Reading; libpcap: Reading }): void {
  expect(packetDifference(libpcap.packets, ours.packets)).toBeUndefined();
  expect(ours.error === undefined, `libpcap: ${libpcap.error ?? 'ok'}, ours: ${ours.error ?? 'ok'}`).toBe(libpcap.error === undefined);
}

const small = corpusIndex().filter((f) => f.bytes <= 4096);
const seedFiles = [
  ...small.filter((f) => f.format === 'pcapng'),
  ...small.filter((f) => f.notes.includes('big-endian') || f.notes.includes('nanosecond')),
  ...small.filter((_, i) => i % 25 === 0),
].map((f) => readFileSync(f.path));

/** A corpus file cut short and with a few bytes changed, often in the headers. */
const mangledFile = fc
  .record({
    file: fc.integer({ min: 0, max: seedFiles.length - 1 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
    edits: fc.array(fc.record({ at: fc.nat(), nearStart: fc.boolean(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }),
  })
  .map(({ file, cut, edits }) => {
    const b = Uint8Array.from(seedFiles[file]);
    for (const e of edits) {
      const at = e.at % (e.nearStart ? Math.min(64, b.length) : b.length);
      b[at] = e.value;
    }
    return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
  });

const packetData = fc.uint8Array({ maxLength: 80 });
// Below 2^52: the oracle reports seconds as JSON numbers, exact only up to 2^53.
const ticks = fc.bigInt({ min: 0n, max: 1n << 52n });

/**
 * pcapng files of every block kind, in both byte orders, one or more sections, with one link type and
 * snaplen for all interfaces (what libpcap accepts); packets may name unknown interfaces or overflow.
 */
const generatedPcapng = fc
  .record({
    littleEndian: fc.boolean(),
    // Not 101 (RAW, DLT 12): libpcap 1.10.3 compares a second IDB's LINKTYPE_ with the first one's DLT_
    // and refuses the file; we read it (see the multi-link-type test).
    linktype: fc.constantFrom(1, 113, 228, 147),
    snaplen: fc.constantFrom(0, 48, 65535, 300000),
    sections: fc.array(
      fc.record({
        interfaces: fc.array(
          fc.record({
            tsresol: fc.option(fc.oneof(fc.integer({ min: 0, max: 19 }), fc.integer({ min: 0x80, max: 0x80 + 30 })), { nil: undefined }),
            tsoffset: fc.option(fc.bigInt({ min: -1000n, max: 1n << 32n }), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        blocks: fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('epb' as const), iface: fc.nat(3), ticks: ticks, data: packetData, extra: fc.nat(100) }),
            fc.record({ kind: fc.constant('pb' as const), iface: fc.nat(3), ticks: ticks, data: packetData, extra: fc.nat(100) }),
            fc.record({ kind: fc.constant('spb' as const), data: packetData, extra: fc.nat(100) }),
            fc.record({ kind: fc.constant('other' as const), type: fc.constantFrom(4, 5, 9, 10, 0xbad, 0x40000bad, 0x12345), data: packetData }),
          ),
          { maxLength: 8 },
        ),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map(({ littleEndian, linktype, snaplen, sections }) => {
    const b = new PcapngBuilder(littleEndian);
    for (const s of sections) {
      b.shb();
      for (const i of s.interfaces) b.idb(linktype, snaplen, i);
      for (const k of s.blocks) {
        if (k.kind === 'epb') b.epb(k.iface, k.ticks, k.data.length + k.extra, k.data);
        else if (k.kind === 'pb') b.pb(k.iface, k.ticks, k.data.length + k.extra, k.data);
        else if (k.kind === 'spb') b.spb(k.data.length + (k.extra % 2 === 0 ? 0 : k.extra), k.data);
        else b.block(k.type, k.data);
      }
    }
    return b.bytes();
  });

describe('bad input', () => {
  it('random bytes give packets or a CaptureFormatError, promptly', async () => {
    const magic = fc.constantFrom([], [0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0x3c, 0x4d], [0x0a, 0x0d, 0x0d, 0x0a], [0x1f, 0x8b]);
    await fc.assert(
      fc.asyncProperty(magic, fc.uint8Array({ maxLength: 600 }), async (head, tail) => {
        const bytes = Uint8Array.from([...head, ...tail]);
        const file = path.join(dir, `r${fileNo++}`);
        writeFileSync(file, bytes);
        // ourReading rethrows anything but a CaptureFormatError, which fails the property.
        const r = await within(10_000, 'reading random bytes', ourReading(file, { batchBytes: 128 }));
        expect(r.packets.length <= bytes.length / 16).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe.runIf(oracleAvailable())('bad input, compared with libpcap', () => {
  it('cut and altered corpus files: the same packets and verdict as libpcap', async () => {
    await fc.assert(fc.asyncProperty(mangledFile, async (bytes) => expectAgreement(await bothReadings(bytes))), { numRuns: 250 });
  });

  it('generated pcapng files (both byte orders, sections, SPB/PB, tsresol, tsoffset): same as libpcap', async () => {
    await fc.assert(fc.asyncProperty(generatedPcapng, async (bytes) => expectAgreement(await bothReadings(bytes))), { numRuns: 150 });
  });
});
