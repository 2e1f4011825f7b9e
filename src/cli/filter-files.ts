// `filter EXPR FILE...`: read captures in batches, run the filter, and print, write or count matches.
import { statSync } from 'node:fs';
import { readBatches, readFileBatchesSync, type CaptureBatch } from '../capture/index.js';
import { CaptureFormatError } from '../capture/errors.js';
import type { CliOptions } from './args.js';
import { FilterSet } from '../filter-set.js';
import { MatchOutput, printWarning, type BatchProgress } from './match-output.js';
import { Progress } from './progress.js';

function fileSize(path: string): number | undefined {
  if (path === '-') return undefined;
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/** What filtering one input did. */
export interface FileRun {
  /** records looked at */
  read: number;
  /** their captured bytes (counted only when asked) */
  bytes: number;
  /** -c was reached or stdout closed: read no further input */
  done: boolean;
  /** the fault that ended a damaged file, after every good record before it was handled */
  failure?: CaptureFormatError;
}

/** Filters one input ('-' is stdin) into `output`. A FilterError (an expression the link type refuses) is thrown. */
export async function filterFile(file: string, filters: FilterSet, output: MatchOutput, countBytes = false): Promise<FileRun> {
  const run: FileRun = { read: 0, bytes: 0, done: false };
  const progress = new Progress(file === '-' ? 'stdin' : file, fileSize(file));
  /** Handles one batch: its matches out, the counts and the progress bar up to date. */
  const take = (batch: CaptureBatch): BatchProgress => {
    const stop = output.matches(batch, filters.verdicts(batch), filters);
    run.read += stop.examined;
    if (countBytes) run.bytes += batchBytes(batch, stop.examined);
    progress.update(batch.inputOffset + batch.end, run.read, output.matched);
    run.done = stop.done;
    return stop;
  };
  const options = { allocate: filters.allocate, walkOf: filters.walkOf };
  try {
    // A regular file is read without a promise per batch; anything else as it comes.
    const fileBatches = readFileBatchesSync(file, options);
    if (fileBatches) {
      for (const batch of fileBatches) {
        const stop = take(batch);
        if (stop.drained) await stop.drained;
        if (stop.done) break;
      }
    } else {
      for await (const batch of readBatches(file, options)) {
        const stop = take(batch);
        if (stop.drained) await stop.drained;
        if (stop.done) break;
      }
    }
  } catch (e) {
    if (!(e instanceof CaptureFormatError)) throw e;
    run.failure = e;
  } finally {
    progress.done();
  }
  return run;
}

export async function filterFiles(opts: CliOptions): Promise<number> {
  const filters = new FilterSet(opts, printWarning);
  const output = new MatchOutput(opts);
  const started = process.hrtime.bigint();
  let read = 0;
  let bytes = 0;
  let failure: CaptureFormatError | undefined;
  try {
    for (const file of opts.files) {
      const run = await filterFile(file, filters, output, opts.stats);
      read += run.read;
      bytes += run.bytes;
      failure = run.failure;
      if (run.done || failure) break;
    }
  } finally {
    await output.close();
  }
  if (opts.stats) {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stderr.write(`${read} packets read, ${output.matched} matched, ${bytes} bytes, ${seconds.toFixed(3)} s\n`);
  }
  if (failure) {
    process.stderr.write(`filter: ${failure.message}\n`);
    return 1;
  }
  return 0;
}

function batchBytes(batch: CaptureBatch, count: number): number {
  let total = 0;
  for (let i = 0; i < count; i++) total += batch.caplens[i];
  return total;
}
