// libpcap rewrites some pseudo-headers while reading (Linux USB and NFLOG fields swapped in files of the
// other byte order, PFLOG ids too; the wire length of some memory-mapped USB records): generated records of those link
// types read the same as libpcap reads them, in pcap and pcapng, in both byte orders.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { oracleAvailable } from '../support/oracle.js';
import { libpcapReading, ourReading, packetDifference } from './compare.js';
import { PcapngBuilder, pcapFile } from './capture-builders.js';

const dir = mkdtempSync(path.join(tmpdir(), 'filterjit-pseudo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

/** A Linux USB record, fields in the file's byte order, often shaped like the records libpcap corrects. */
const usbRecord = (littleEndian: boolean) =>
  fc
    .record({
      isochronous: fc.boolean(),
      complete: fc.boolean(),
      incoming: fc.boolean(),
      hasData: fc.boolean(),
      ndesc: fc.integer({ min: 0, max: 5 }),
      urbLen: fc.integer({ min: 0, max: 200 }),
      descriptors: fc.array(fc.record({ offset: fc.nat(300), len: fc.nat(100) }), { maxLength: 5 }),
      payload: fc.uint8Array({ maxLength: 40 }),
      lengthFromUrb: fc.boolean(),
      cut: fc.option(fc.nat(), { nil: undefined }),
      noise: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    })
    .map((r) => {
      const data = new Uint8Array(64 + r.descriptors.length * 16 + r.payload.length);
      data.set(r.noise);
      const v = new DataView(data.buffer);
      data[8] = r.complete ? 0x43 : 0x53;
      data[9] = r.isochronous ? 0 : 2;
      data[10] = (r.incoming ? 0x80 : 0) | 1;
      data[15] = r.hasData ? 0 : 0x3e;
      v.setUint32(32, r.urbLen, littleEndian);
      v.setUint32(60, r.ndesc, littleEndian);
      r.descriptors.forEach((d, i) => {
        v.setUint32(64 + i * 16 + 4, d.offset, littleEndian);
        v.setUint32(64 + i * 16 + 8, d.len, littleEndian);
      });
      data.set(r.payload, 64 + r.descriptors.length * 16);
      const wirelen = r.lengthFromUrb ? 64 + r.ndesc * 16 + r.urbLen : data.length + r.urbLen;
      return { data: r.cut === undefined ? data : data.subarray(0, r.cut % (data.length + 1)), wirelen };
    });

/** An NFLOG record: header, then TLVs with 16-bit length and type in the file's byte order. */
const nflogRecord = (littleEndian: boolean) =>
  fc
    .record({
      version: fc.constantFrom(0, 0, 0, 1),
      tlvs: fc.array(fc.record({ length: fc.oneof(fc.integer({ min: 0, max: 24 }), fc.integer({ min: 65530, max: 65535 })), type: fc.nat(20) }), { maxLength: 5 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      extraWire: fc.nat(50),
    })
    .map((r) => {
      const parts: number[] = [2, r.version, 0, 1];
      for (const t of r.tlvs) {
        const h = new DataView(new ArrayBuffer(4));
        h.setUint16(0, t.length, littleEndian);
        h.setUint16(2, t.type, littleEndian);
        parts.push(...new Uint8Array(h.buffer), ...new Array(Math.max(0, Math.min(24, ((t.length + 3) & ~3) - 4))).fill(0xab));
      }
      const data = Uint8Array.from(parts);
      return { data: r.cut === undefined ? data : data.subarray(0, r.cut % (data.length + 1)), wirelen: data.length + r.extraWire };
    });

const fileOf = fc.boolean().chain((littleEndian) =>
  fc.record({
    littleEndian: fc.constant(littleEndian),
    pcapng: fc.boolean(),
    linktype: fc.constantFrom(189, 220, 239, 113, 117, 276),
    usb: fc.array(usbRecord(littleEndian), { minLength: 1, maxLength: 4 }),
    nflog: fc.array(nflogRecord(littleEndian), { minLength: 1, maxLength: 4 }),
  }),
);

describe.runIf(oracleAvailable())('pseudo-header rewrites', () => {
  it('match libpcap for Linux USB, NFLOG and PFLOG records', async () => {
    await fc.assert(
      fc.asyncProperty(fileOf, async ({ littleEndian, pcapng, linktype, usb, nflog }) => {
        const records = linktype === 239 ? nflog : usb; // other link types: USB-shaped bytes, which libpcap must leave alone
        let bytes: Uint8Array;
        if (pcapng) {
          const b = new PcapngBuilder(littleEndian).shb().idb(linktype, 0);
          records.forEach((r, i) => b.epb(0, BigInt(i), r.wirelen, r.data));
          bytes = b.bytes();
        } else {
          bytes = pcapFile(littleEndian, { linktype, snaplen: 65535 }, records.map((r, i) => ({ seconds: i, fraction: 0, ...r })));
        }
        const file = path.join(dir, `p${fileNo++}`);
        writeFileSync(file, bytes);
        const [ours, libpcap] = [await ourReading(file), libpcapReading(file)];
        expect(libpcap.error).toBeUndefined();
        expect(ours.error).toBeUndefined();
        expect(packetDifference(libpcap.packets, ours.packets)).toBeUndefined();
      }),
      {
        numRuns: 300,
        // found by a run: a completed incoming isochronous URB captured one byte longer than its length
        examples: [[{
          littleEndian: false, pcapng: false, linktype: 220, nflog: [],
          usb: [{ data: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 67, 0, 129, ...new Array<number>(54).fill(0)]), wirelen: 64 }],
        }]],
      },
    );
  });
});
