// Capture files: streaming pcap/pcapng reader (packets or zero-copy batches) and writers.
export type { CapturedPacket, CaptureInterface, ReadOptions, BatchReadOptions, CaptureWriterOptions } from './types.js';
export { CaptureFormatError, CaptureWriteError } from './errors.js';
export { type CaptureBatch, batchTimestamp, batchPacket, timestampNs } from './batch.js';
export { readBatches, DEFAULT_BATCH_BYTES } from './batch-reader.js';
export { readCapture } from './packet-reader.js';
export { type CaptureWriter, createCaptureWriter } from './writer.js';
export { linktypeToDlt, dltToLinktype, maxSnaplenForDlt, adjustSnaplen, MAXIMUM_SNAPLEN } from './linktype.js';
