// filterjit's library API: compile pcap-filter expressions, read and write captures, filter files and
// live traffic.
import {
  batchPacket, readBatches, createCaptureWriter, type CapturedPacket, type CaptureWriterOptions, type ReadOptions,
} from './capture/index.js';
import { openLive, type LiveOptions } from './capture/live.js';
import type { FilterOptions } from './filter.js';
import { FilterSet } from './filter-set.js';

export { compile, type Filter, type FilterOptions, type Engine, type DumpFormat } from './filter.js';
export { parse } from './grammar/index.js';
export type * from './grammar/ast.js';
export { FilterError, FilterSyntaxError } from './grammar/errors.js';
export type { Insn } from './cbpf/insn.js';
export type { EbpfInsn } from './ebpf/insn.js';
export {
  readCapture, readBatches, readFileBatchesSync, createCaptureWriter, CaptureFormatError, CaptureWriteError,
  type CapturedPacket, type CaptureBatch, type CaptureInterface, type CaptureWriter, type CaptureWriterOptions,
  type ReadOptions, type BatchReadOptions,
} from './capture/index.js';
export { openLive, listInterfaces, LiveCaptureError, type LiveCapture, type LiveOptions, type LiveInterface } from './capture/live.js';

type PacketSource = AsyncIterable<CapturedPacket> | Iterable<CapturedPacket>;

/**
 * Writes packets to a capture file (a path, '-' for stdout, or a writable stream) and resolves to the
 * number written once everything is on disk. Default format pcap.
 */
export async function writeCapture(
  target: string | NodeJS.WritableStream,
  packets: PacketSource,
  options: Partial<CaptureWriterOptions> = {},
): Promise<number> {
  const writer = createCaptureWriter(target === '-' ? process.stdout : target, { format: 'pcap', ...options });
  let count = 0;
  try {
    for await (const packet of packets) {
      if (!writer.write(packet)) await writer.drain();
      count++;
    }
  } finally {
    await writer.close();
  }
  return count;
}

/**
 * Yields the packets of `packets` that pass `expression`, compiling it once per link type met. Options
 * are compile()'s; `linktype` is taken from each packet. The program is compiled as for live traffic:
 * for a capture file, filterCapture() gives libpcap's savefile verdicts (they differ on DLT_NULL).
 */
export async function* filterPackets(
  packets: PacketSource,
  expression: string,
  options: Omit<FilterOptions, 'linktype'> = {},
): AsyncGenerator<CapturedPacket, void, void> {
  const filters = new FilterSet({ ...options, expression }, () => {});
  const savefile = options.offline === undefined ? undefined : { swapped: options.offline === 'swapped' };
  for await (const packet of packets) {
    if (filters.forLinktype(packet.linktype, undefined, savefile).match(packet.data, packet.wirelen)) yield packet;
  }
}

/**
 * The packets of a capture file (path, '-' or stream) that pass `expression`, with tcpdump's verdicts:
 * compiled for each link type and for the file's byte order (libpcap compiles some link types
 * differently for a savefile), and run over whole batches of records at a time.
 */
export async function* filterCapture(
  source: string | NodeJS.ReadableStream,
  expression: string,
  options: Omit<FilterOptions, 'linktype' | 'offline'> & ReadOptions = {},
): AsyncGenerator<CapturedPacket, void, void> {
  const filters = new FilterSet({ ...options, expression }, () => {});
  for await (const batch of readBatches(source, { ...options, allocate: filters.allocate, walkOf: filters.walkOf })) {
    const verdicts = filters.verdicts(batch);
    for (let i = 0; i < batch.count; i++) if (verdicts[i] !== 0) yield batchPacket(batch, i);
  }
}

/**
 * Live capture as an async iterator of the packets that pass `expression` (all packets when it is
 * empty). Breaking out of the loop stops the capture.
 */
export async function* liveCapture(
  options: LiveOptions & { expression?: string } & Omit<FilterOptions, 'linktype'>,
): AsyncGenerator<CapturedPacket, void, void> {
  const capture = openLive(options);
  try {
    yield* filterPackets(capture, options.expression ?? '', options);
  } finally {
    capture.stop();
  }
}
