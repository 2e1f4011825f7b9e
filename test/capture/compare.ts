// Shared by the capture tests: our reader's and libpcap's readings of a file, in one comparable shape.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readCapture, CaptureFormatError } from '../../src/capture/index.js';
import { corpusIndex, extraCaptures } from '../support/corpus.js';
import { libpcapReadPackets } from '../support/oracle.js';

/** One packet reduced to what both readers must agree on. */
export interface PacketView {
  /** Nanoseconds since the epoch. */
  ns: bigint;
  caplen: number;
  wirelen: number;
  /** sha1 of the bytes (keeps large corpora cheap to compare). */
  hash: string;
  linktype: number;
}

export interface Reading {
  packets: PacketView[];
  /** Why reading stopped early (or never started); undefined when the whole file was read. */
  error?: string;
  /** The file was refused before any packet (libpcap's pcap_open_offline failed / we threw before a record). */
  refused: boolean;
}

/** The pcap nanosecond magic in either byte order. */
function isNanosecondPcap(file: string): boolean {
  const head = readFileSync(file).subarray(0, 4);
  const le = head.length === 4 ? head.readUInt32LE(0) : 0;
  return le === 0xa1b23c4d || le === 0x4d3cb2a1;
}

const hash = (d: Uint8Array): string => createHash('sha1').update(d).digest('hex');

/** Our reading; any error other than CaptureFormatError is rethrown (that is a bug). */
export async function ourReading(input: string | NodeJS.ReadableStream, options = {}): Promise<Reading> {
  const packets: PacketView[] = [];
  try {
    for await (const p of readCapture(input, options)) {
      if (p.data.length !== p.caplen) throw new Error(`data length ${p.data.length} != caplen ${p.caplen}`);
      packets.push({ ns: p.timestamp, caplen: p.caplen, wirelen: p.wirelen, hash: hash(p.data), linktype: p.linktype });
    }
  } catch (e) {
    if (!(e instanceof CaptureFormatError)) throw e;
    return { packets, error: e.message, refused: false };
  }
  return { packets, refused: false };
}

const U32 = 0x1_0000_0000n;
const u32 = (x: bigint): bigint => ((x % U32) + U32) % U32;

/**
 * libpcap's reading. libpcap 1.10.3 sign-extends the 32-bit seconds and fraction of pcap records
 * (so 2038-2106 times come out negative); we read them as the unsigned fields the pcap format defines,
 * so for pcap files both fields are taken back to unsigned 32-bit before comparing.
 */
export function libpcapReading(file: string): Reading {
  const r = libpcapReadPackets(file);
  if (!r.ok) return { packets: [], error: r.error, refused: true };
  const pcapFormat = !(r.version[0] === 1 && r.version[1] === 0);
  const nanosecondPcap = pcapFormat && isNanosecondPcap(file);
  const packets = r.packets.map((p) => {
    let sec = BigInt(p.tsSec);
    let frac = BigInt(p.tsNsec);
    if (pcapFormat) {
      sec = u32(sec);
      // Microsecond files come out scaled by 1000 (the oracle asks for nanoseconds) from a signed field.
      frac = nanosecondPcap ? u32(frac) : u32(frac / 1000n) * 1000n;
    }
    return { ns: sec * 1_000_000_000n + frac, caplen: p.caplen, wirelen: p.wirelen, hash: hash(p.data), linktype: r.linktype };
  });
  return { packets, error: r.readError, refused: false };
}

/** Every capture of the shared corpus: INDEX.tsv and the crafted/, invalid/ and libpcap-filter/ folders. */
export function allCaptures(): { file: string; path: string }[] {
  return [
    ...corpusIndex().map((f) => ({ file: f.file, path: f.path })),
    ...(['crafted', 'invalid', 'libpcap-filter'] as const).flatMap((d) => extraCaptures(d)),
  ];
}

/** First difference between two readings of the same packets, or undefined. */
export function packetDifference(expected: PacketView[], actual: PacketView[]): string | undefined {
  if (expected.length !== actual.length) return `${actual.length} packets instead of ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    for (const k of ['ns', 'caplen', 'wirelen', 'hash', 'linktype'] as const) {
      if (e[k] !== a[k]) return `packet ${i}: ${k} ${String(a[k])} instead of ${String(e[k])}`;
    }
  }
  return undefined;
}

/** Rejects when `promise` takes longer than `ms` (a hang is a failure, not a stuck suite). */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
