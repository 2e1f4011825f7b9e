// Every capture of the shared corpus, read by us and by libpcap (the oracle): same packets, same verdict.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { capturePath } from '../support/corpus.js';
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
    const stopped = captures.filter((c) => libpcap.get(c.file)!.error !== undefined && c.file !== MULTI);
    expect(stopped.length).toBeGreaterThanOrEqual(8); // README: 3 crafted files and the invalid/ ones
    for (const c of stopped) {
      const escaped = c.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(ours.get(c.file)!.error).toMatch(new RegExp(`^${escaped}: .+ \\(at byte offset \\d+\\)$`));
    }
    // README: truncated-record.pcap is cut 37 bytes into its last record's data, truncated-record-header.pcap
    // 7 bytes into a record header; the error points at that record's header.
    const size = (f: string): number => statSync(capturePath(f)).size;
    expect(ours.get('crafted/truncated-record.pcap')!.error).toContain(`at byte offset ${size('crafted/truncated-record.pcap') - 37 - 16})`);
    expect(ours.get('crafted/truncated-record-header.pcap')!.error).toContain(`at byte offset ${size('crafted/truncated-record-header.pcap') - 7})`);
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
