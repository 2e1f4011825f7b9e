// Capture files: a streaming pcap/pcapng reader (one object per packet, or zero-copy batches) and writers.
//
// Fast path (how a batch filter runner uses it):
//   for await (const batch of readBatches(file, { allocate })) { ... }
// - `allocate(size)` returns the memory the next batch is read into (e.g. a view on WebAssembly memory);
//   records then lie where the filter reads them: record i is buffer[offsets[i], offsets[i] + caplens[i]),
//   with wire length wirelens[i]. A runner copies the three Uint32Arrays (12 bytes a record), nothing else.
// - A batch (and, with the default allocator, its buffer) is valid until the iterator's next().
// - batch.linktype is the DLT_ of every record, or -1 when a multi-interface pcapng mixes link types
//   (then use interfaces[interfaceIds[i]].linktype); snaplens are in batch.interfaces.
// - A bad file: the batch with every good record comes first, then a CaptureFormatError.
export type { CapturedPacket, CaptureInterface, ReadOptions, BatchReadOptions, CaptureWriterOptions } from './types.js';
export { CaptureFormatError, CaptureWriteError } from './errors.js';
export { type CaptureBatch, batchTimestamp, batchPacket, timestampNs, PCAP_RECORD_HEADER_BYTES } from './batch.js';
export { readBatches, readFileBatchesSync, DEFAULT_BATCH_BYTES } from './batch-reader.js';
export { readCapture } from './packet-reader.js';
export { type CaptureWriter, createCaptureWriter } from './writer.js';
export { linktypeToDlt, dltToLinktype, maxSnaplenForDlt, adjustSnaplen, MAXIMUM_SNAPLEN } from './linktype.js';
