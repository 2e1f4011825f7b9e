// `filter EXPR FILE...`: read captures in batches, run the filter, and print, write or count matches.
import { statSync } from 'node:fs';
import { readBatches, type CaptureBatch } from '../capture/index.js';
import { CaptureFormatError } from '../capture/errors.js';
import type { CliOptions } from './args.js';
import { FilterSet } from '../filter-set.js';
import { MatchOutput, printWarning } from './match-output.js';
import { Progress } from './progress.js';

function fileSize(path: string): number | undefined {
  if (path === '-') return undefined;
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

export async function filterFiles(opts: CliOptions): Promise<number> {
  const filters = new FilterSet(opts, printWarning);
  const output = new MatchOutput(opts);
  const started = process.hrtime.bigint();
  let read = 0;
  let bytes = 0;
  let failure: CaptureFormatError | undefined;
  try {
    files: for (const file of opts.files) {
      const progress = new Progress(file === '-' ? 'stdin' : file, fileSize(file));
      try {
        for await (const batch of readBatches(file, { allocate: filters.allocate, memoryOf: filters.memoryOf })) {
          const verdicts = filters.verdicts(batch);
          const stop = await output.matches(batch, verdicts);
          read += stop.examined;
          if (opts.stats) bytes += batchBytes(batch, stop.examined);
          progress.update(batch.inputOffset + batch.end, read, output.matched);
          if (stop.done) break files;
        }
      } catch (e) {
        if (!(e instanceof CaptureFormatError)) throw e;
        failure = e;
        break;
      } finally {
        progress.done();
      }
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
