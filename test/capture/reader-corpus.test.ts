// Every capture of the shared corpus, read by us and by libpcap (the oracle): same packets, same verdict.
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { oracleAvailable } from '../support/oracle.js';
import { allCaptures, libpcapReading, ourReading, packetDifference, type Reading } from './compare.js';

const captures = allCaptures();
const MULTI = 'crafted/multi-interface.pcapng';
const libpcap = new Map<string, Reading>();
const ours = new Map<string, Reading>();

describe.runIf(oracleAvailable())('reading the capture corpus', () => {
  beforeAll(async () => {
    for (const c of captures) {
      libpcap.set(c.file, libpcapReading(c.path));
      ours.set(c.file, await ourReading(c.path));
    }
  });

  it('covers the whole corpus', () => {
    expect(captures.length).toBeGreaterThanOrEqual(600 + 5 + 6 + 37);
    expect(captures.some((c) => c.file === MULTI)).toBe(true);
  });

  it('yields the packets libpcap yields, and stops or refuses where libpcap does', () => {
    const differences: string[] = [];
    for (const c of captures) {
      if (c.file === MULTI) continue;
      const want = libpcap.get(c.file)!;
      const got = ours.get(c.file)!;
      const diff = packetDifference(want.packets, got.packets);
      if (diff) differences.push(`${c.file}: ${diff}`);
      else if ((want.error === undefined) !== (got.error === undefined)) {
        differences.push(`${c.file}: libpcap says ${want.error ?? 'ok'}, we say ${got.error ?? 'ok'}`);
      }
    }
    expect(differences).toEqual([]);
  });

  it('names the file and the byte offset when it stops', () => {
    const stopped = captures.filter((c) => ours.get(c.file)!.error !== undefined);
    expect(stopped.map((c) => c.file).sort()).toEqual(
      [
        'crafted/corrupt-caplen.pcap', 'crafted/truncated-record-header.pcap', 'crafted/truncated-record.pcap',
        'invalid/pcap-invalid-version-1.pcap', 'invalid/pcap-invalid-version-2.pcap',
        'invalid/pcapng-invalid-vers-1.pcapng', 'invalid/pcapng-invalid-vers-2.pcapng', 'invalid/shb-option-too-long.pcapng',
      ].sort(),
    );
    for (const c of stopped) expect(ours.get(c.file)!.error).toMatch(new RegExp(`^${c.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .+ \\(at byte offset \\d+\\)$`));
    expect(ours.get('crafted/truncated-record.pcap')!.error).toContain('at byte offset 39304');
    expect(ours.get('crafted/truncated-record-header.pcap')!.error).toContain('7 of 16 bytes');
  });

  it('reads crafted/multi-interface.pcapng completely: each interface is a corpus file of its link type', () => {
    const got = ours.get(MULTI)!;
    expect(got.error).toBeUndefined();
    expect(got.packets.length).toBe(270);
    for (const [linktype, count] of [[1, 264], [113, 6]]) {
      const mine = got.packets.filter((p) => p.linktype === linktype);
      expect(mine.length).toBe(count);
      // The interface's packets are exactly the packets libpcap reads from one of the single-link-type files.
      const source = captures.find((c) => c.file !== MULTI && libpcap.get(c.file)!.packets[0]?.hash === mine[0].hash
        && packetDifference(libpcap.get(c.file)!.packets, mine) === undefined);
      expect(source, `a corpus file with the ${count} packets of link type ${linktype}`).toBeDefined();
    }
  });

  it('reads the same from a stream, from gzip and with tiny batches', async () => {
    const sample = captures.filter((_, i) => i % 7 === 0).concat(captures.filter((c) => c.file.startsWith('crafted/')));
    for (const c of sample) {
      const want = ours.get(c.file)!;
      const variants: [string, () => Promise<Reading>][] = [
        ['stream', () => ourReading(createReadStream(c.path, { highWaterMark: 97 }))],
        ['gzip file', async () => ourReading(Readable.from([gzipSync(readFileSync(c.path))]))],
        ['tiny batches', () => ourReading(c.path, { batchBytes: 64 })],
      ];
      for (const [how, read] of variants) {
        const got = await read();
        expect(packetDifference(want.packets, got.packets), `${c.file} (${how})`).toBeUndefined();
        expect(got.error === undefined, `${c.file} (${how}): ${got.error}`).toBe(want.error === undefined);
      }
    }
  });
});
