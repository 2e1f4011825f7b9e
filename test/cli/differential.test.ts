// The command's own path (capture reader batches -> per-link-type compile -> JIT batch verdicts) over
// every capture of the corpus and every expression of the differential list, against libpcap:
// the same number of matches as `tcpdump --count -r FILE EXPR`, and the same refusals.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CaptureFormatError, readBatches } from '../../src/capture/index.js';
import { FilterError } from '../../src/grammar/errors.js';
import { parseArgs } from '../../src/cli/args.js';
import { FilterSet } from '../../src/filter-set.js';
import { libpcapVerdicts, loadExpressions, matchCount } from '../support/differential.js';
import { CAPTURES_WHERE_1_10_3_DIFFERS, MASTER_DIFFERS, MASTER_DIFFERS_ON_CAPTURE } from '../support/known-differences.js';

/** libpcap refuses these with "expression rejects all packets"; we warn and match nothing instead. */
const REJECTS_ALL = /expression rejects all packets/;
const MIXED_LINKTYPES = /different from the type of the first interface/;

interface Outcome {
  matches: number;
  refused?: string;
}

/**
 * Counts like `filter --count EXPR FILE`; `filters` is the expression's set, reused across files, and the
 * file's bytes come from memory (read once for all expressions) through the same stream reader as stdin.
 */
async function ourCount(filters: FilterSet, bytes: Buffer): Promise<Outcome> {
  let matches = 0;
  try {
    for await (const batch of readBatches(Readable.from([bytes]), { allocate: filters.allocate, memoryOf: filters.memoryOf })) {
      const verdicts = filters.verdicts(batch);
      for (let i = 0; i < batch.count; i++) if (verdicts[i] !== 0) matches++;
    }
  } catch (e) {
    if (e instanceof FilterError) return { matches, refused: e.message };
    // A damaged file: the matches before the fault count, as with tcpdump.
    if (!(e instanceof CaptureFormatError)) throw e;
  }
  return { matches };
}

describe('filter --count against tcpdump --count over the corpus', () => {
  it('agrees on every (capture, expression) pair', async () => {
    const exprs = loadExpressions();
    expect(exprs.length).toBeGreaterThanOrEqual(150);
    const table = libpcapVerdicts(exprs);
    const fileBytes = table.captures.map((c) => readFileSync(c.path));
    const disagreements: string[] = [];
    let pairs = 0;
    let refusals = 0;
    let masterDifferences = 0;
    for (const [ei, expr] of exprs.entries()) {
      const filters = new FilterSet(parseArgs(['--count', '--', expr, '-']), () => {});
      for (const [ci, capture] of table.captures.entries()) {
        const theirs = table.verdicts[ci][ei];
        if (!theirs.ok && theirs.stage === 'open') continue;
        // libpcap stops at a second link type in a pcapng file; we read it all (cli.test.ts checks that file).
        if (theirs.ok && theirs.readError !== undefined && MIXED_LINKTYPES.test(theirs.readError)) continue;
        pairs++;
        const ours = await ourCount(filters, fileBytes[ci]);
        const before = disagreements.length;
        if (!theirs.ok && !REJECTS_ALL.test(theirs.error)) {
          refusals++;
          if (ours.refused === undefined) disagreements.push(`${capture.file} '${expr}': libpcap refuses (${theirs.error}), we count ${ours.matches}`);
        } else if (ours.refused !== undefined) {
          disagreements.push(`${capture.file} '${expr}': we refuse (${ours.refused}), libpcap counts ${matchCount(theirs)}`);
        } else if (ours.matches !== matchCount(theirs)) {
          disagreements.push(`${capture.file} '${expr}': we count ${ours.matches}, libpcap ${matchCount(theirs)}`);
        }
        // Where libpcap master (which we follow) changed 1.10.3's behaviour (test/support/known-differences.ts);
        // the conformance cases check master's meaning there.
        const masterDiffers = capture.file in CAPTURES_WHERE_1_10_3_DIFFERS || capture.file in MASTER_DIFFERS_ON_CAPTURE || expr in MASTER_DIFFERS;
        if (disagreements.length > before && masterDiffers) {
          disagreements.pop();
          masterDifferences++;
        }
      }
    }
    console.log(
      `filter --count vs libpcap 1.10.3: ${pairs} pairs checked (${refusals} refused by both), ${disagreements.length} disagree, ` +
        `${masterDifferences} differ on captures where libpcap master changed 1.10.3's behaviour`,
    );
    expect(disagreements.slice(0, 60)).toEqual([]);
  }, 1_800_000);
});
