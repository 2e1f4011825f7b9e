// What `filter` prints for one matching packet: a tcpdump-style line, a hex dump, or a JSON object.
import { summarize } from './summary.js';
import { hexdump } from './hexdump.js';

export interface PrintablePacket {
  linktype: number;
  /** nanoseconds since the epoch */
  timestamp: bigint;
  wirelen: number;
  data: Uint8Array;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Local time of day with microseconds, as tcpdump prints it by default. */
function formatTimestamp(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const micros = Number((ns % 1_000_000_000n) / 1000n);
  const d = new Date(Number(seconds) * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(micros, 6)}`;
}

export function packetLine(p: PrintablePacket, withHex: boolean): string {
  const line = `${formatTimestamp(p.timestamp)} ${summarize(p.linktype, p.data, p.wirelen).text}`;
  return withHex ? `${line}\n${hexdump(p.data)}` : line;
}

export function packetJson(p: PrintablePacket, withHex: boolean): string {
  const seconds = p.timestamp / 1_000_000_000n;
  const nanos = p.timestamp % 1_000_000_000n;
  const { text, fields } = summarize(p.linktype, p.data, p.wirelen);
  const object: Record<string, unknown> = {
    time: `${seconds}.${String(nanos).padStart(9, '0')}`,
    linktype: p.linktype,
    caplen: p.data.length,
    wirelen: p.wirelen,
    summary: text,
    ...fields,
  };
  if (withHex) object.hex = Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).toString('hex');
  return JSON.stringify(object);
}
