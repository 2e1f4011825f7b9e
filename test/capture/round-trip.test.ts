// Reading each corpus file and writing it back as pcap and pcapng gives files libpcap reads to the same packets.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createCaptureWriter, readBatches, type CaptureWriterOptions } from '../../src/capture/index.js';
import { oracleAvailable } from '../support/oracle.js';
import { allCaptures, libpcapReading, ourReading, packetDifference, type PacketView } from './compare.js';

const dir = mkdtempSync(path.join(tmpdir(), 'filterjit-roundtrip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Copies every good record of `input` to `output` through the batch interface. */
async function copy(input: string, output: string, options: CaptureWriterOptions): Promise<void> {
  const writer = createCaptureWriter(output, options);
  try {
    for await (const batch of readBatches(input, { batchBytes: 4096 })) {
      for (let i = 0; i < batch.count; i++) if (!writer.writeBatchRecord(batch, i)) await writer.drain();
    }
  } catch {
    // A file that stops early: the good packets before the fault are what gets written.
  }
  await writer.close();
}

const truncateToUs = (packets: PacketView[]): PacketView[] => packets.map((p) => ({ ...p, ns: p.ns - (p.ns % 1000n) }));
const MAX_PCAP_NS = 0x1_0000_0000n * 1_000_000_000n;

describe.runIf(oracleAvailable())('round trip through our writers', () => {
  const readable = allCaptures().filter((c) => c.file !== 'crafted/multi-interface.pcapng');

  for (const [format, precision] of [['pcap', 'ns'], ['pcapng', 'ns'], ['pcap', 'us'], ['pcapng', 'us']] as const) {
    it(`${format} with ${precision} timestamps: libpcap reads back the packets we read`, async () => {
      const differences: string[] = [];
      let compared = 0;
      // Microsecond output differs only in the truncation: every 5th file is enough for it.
      for (const c of precision === 'us' ? readable.filter((_, i) => i % 5 === 0) : readable) {
        const original = await ourReading(c.path);
        if (original.refused) continue;
        // pcap holds seconds in 32 bits; pcapng's 64-bit ticks hold any time of the corpus.
        if (format === 'pcap' && original.packets.some((p) => p.ns < 0n || p.ns >= MAX_PCAP_NS)) continue;
        const out = path.join(dir, `${path.basename(c.file)}.${precision}.${format}`);
        await copy(c.path, out, { format, precision });
        const back = libpcapReading(out);
        const want = precision === 'us' ? truncateToUs(original.packets) : original.packets;
        const diff = back.error ?? packetDifference(want, back.packets);
        if (diff) differences.push(`${c.file}: ${diff}`);
        compared++;
      }
      expect(differences).toEqual([]);
      expect(compared).toBeGreaterThan(precision === 'us' ? 120 : 600);
    });
  }

  it('tcpdump itself reads back what we write', async () => {
    // The checks above use libpcap through the oracle; this one goes through the tcpdump binary once a format.
    const source = allCaptures().find((c) => c.file === 'OSPFv2_Capture_FINAL.pcapng')!;
    const original = await ourReading(source.path);
    for (const format of ['pcap', 'pcapng'] as const) {
      const out = path.join(dir, `tcpdump-check.${format}`);
      await copy(source.path, out, { format, precision: 'ns' });
      const run = spawnSync('tcpdump', ['-r', out, '-w', '-'], { maxBuffer: 1 << 26 });
      expect(run.status, String(run.stderr)).toBe(0);
      const back = await ourReading(Readable.from([run.stdout]));
      expect(packetDifference(original.packets, back.packets)).toBeUndefined();
    }
  });

  it('pcapng keeps the several link types of crafted/multi-interface.pcapng', async () => {
    const multi = allCaptures().find((c) => c.file === 'crafted/multi-interface.pcapng')!;
    const out = path.join(dir, 'multi.pcapng');
    await copy(multi.path, out, { format: 'pcapng' });
    // libpcap refuses several link types, so this is checked with our reader (itself checked against libpcap).
    const [original, back] = [await ourReading(multi.path), await ourReading(out)];
    expect(back.error).toBeUndefined();
    expect(packetDifference(original.packets, back.packets)).toBeUndefined();
    expect(new Set(back.packets.map((p) => p.linktype))).toEqual(new Set([1, 113]));
  });
});
