// The command's own path (filterFile: capture reader -> per-link-type compile -> JIT batch verdicts ->
// match output) over every capture of the corpus and every expression of the differential list:
// `--count` counts what `tcpdump --count -r FILE EXPR` counts (libpcap's verdicts, from the oracle), and
// `-w` writes the packets `tcpdump -r FILE -w OUT EXPR` writes: tcpdump's own -w rendering of each
// packet libpcap accepts (one tcpdump run per capture writes them all), in the same order.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FilterError } from '../../src/grammar/errors.js';
import { parseArgs } from '../../src/cli/args.js';
import { filterFile } from '../../src/cli/filter-files.js';
import { MatchOutput } from '../../src/cli/match-output.js';
import { FilterSet } from '../../src/filter-set.js';
import { libpcapVerdicts, loadExpressions, matchCount } from '../support/differential.js';
import { CAPTURES_WHERE_1_10_3_DIFFERS, MASTER_DIFFERS, MASTER_DIFFERS_ON_CAPTURE } from '../support/known-differences.js';
import { tcpdump } from '../support/tcpdump.js';

/** libpcap refuses these with "expression rejects all packets"; we warn and match nothing instead. */
const REJECTS_ALL = /expression rejects all packets/;
const MIXED_LINKTYPES = /different from the type of the first interface/;

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;

const dir = mkdtempSync(path.join(tmpdir(), 'filterjit-differential-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A little-endian pcap file cut into its header and records (header and data each). */
interface PcapRecords {
  header: Buffer;
  records: Buffer[];
}

function splitPcap(bytes: Buffer): PcapRecords {
  const records: Buffer[] = [];
  for (let at = 24; at < bytes.length; ) {
    const end = at + 16 + bytes.readUInt32LE(at + 8);
    records.push(bytes.subarray(at, end));
    at = end;
  }
  return { header: bytes.subarray(0, 24), records };
}

/**
 * A pcap file we wrote, in microseconds as tcpdump writes it: tcpdump reads a nanosecond capture at
 * microsecond precision, where we keep the input's nanoseconds. The fraction is cut as libpcap reads
 * such a file back: a signed 32-bit field divided by 1000 (a damaged file's "negative" fraction too).
 */
function inMicroseconds(file: PcapRecords): PcapRecords {
  if (file.header.readUInt32LE(0) !== PCAP_MAGIC_NS) return file;
  const header = Buffer.from(file.header);
  header.writeUInt32LE(PCAP_MAGIC_US, 0);
  const records = file.records.map((r) => {
    const copy = Buffer.from(r);
    copy.writeUInt32LE(Math.trunc(copy.readInt32LE(4) / 1000) >>> 0, 4);
    return copy;
  });
  return { header, records };
}

/**
 * tcpdump's -w rendering of every packet of a capture (of a damaged one, those before the fault);
 * undefined when tcpdump cannot open it.
 */
function tcpdumpWritesAll(file: string): PcapRecords | undefined {
  const out = path.join(dir, 'tcpdump-all.pcap');
  rmSync(out, { force: true });
  tcpdump(['-r', file, '-w', out]);
  return existsSync(out) ? splitPcap(readFileSync(out)) : undefined;
}

interface Outcome {
  matches: number;
  refused?: string;
}

/** `filter [--count | -w OUT] EXPR FILE` through the command's own per-file run; `filters` serves many files. */
async function ourRun(filters: FilterSet, args: string[], file: string): Promise<Outcome> {
  const output = new MatchOutput(parseArgs([...args, '--', 'expression', file]));
  try {
    await filterFile(file, filters, output);
  } catch (e) {
    if (e instanceof FilterError) return { matches: output.matched, refused: e.message };
    throw e;
  }
  // (--count prints its line at close)
  if (!args.includes('--count')) await output.close();
  return { matches: output.matched };
}

describe('filter --count and -w against tcpdump over the corpus', () => {
  it('agrees on every (capture, expression) pair', async () => {
    const exprs = loadExpressions();
    expect(exprs.length).toBeGreaterThanOrEqual(150);
    const table = libpcapVerdicts(exprs);
    const written = path.join(dir, 'ours.pcap');
    const disagreements: string[] = [];
    let pairs = 0;
    let refusals = 0;
    let masterDifferences = 0;
    let packetsWritten = 0;
    const tcpdumpRenderings = table.captures.map((c) => tcpdumpWritesAll(c.path));
    for (const [ei, expr] of exprs.entries()) {
      const filters = new FilterSet(parseArgs(['--', expr, '-']), () => {});
      for (const [ci, capture] of table.captures.entries()) {
        const theirs = table.verdicts[ci][ei];
        const theirsAll = tcpdumpRenderings[ci];
        if (!theirs.ok && theirs.stage === 'open') continue;
        // libpcap stops at a second link type in a pcapng file; we read it all (cli.test.ts checks that file).
        if (theirs.ok && theirs.readError !== undefined && MIXED_LINKTYPES.test(theirs.readError)) continue;
        pairs++;
        const ours = await ourRun(filters, ['--count'], capture.path);
        const before = disagreements.length;
        const where = `${capture.file} '${expr}'`;
        if (!theirs.ok && !REJECTS_ALL.test(theirs.error)) {
          refusals++;
          if (ours.refused === undefined) disagreements.push(`${where}: libpcap refuses (${theirs.error}), we count ${ours.matches}`);
        } else if (ours.refused !== undefined) {
          disagreements.push(`${where}: we refuse (${ours.refused}), libpcap counts ${matchCount(theirs)}`);
        } else if (ours.matches !== matchCount(theirs)) {
          disagreements.push(`${where}: we count ${ours.matches}, libpcap ${matchCount(theirs)}`);
        } else if (theirs.ok) {
          // -w: tcpdump's rendering of the packets libpcap accepts, header included
          if (!theirsAll) throw new Error(`${capture.file}: libpcap reads it, tcpdump cannot`);
          if (theirsAll.records.length !== theirs.results.length) throw new Error(`${capture.file}: tcpdump wrote ${theirsAll.records.length} packets, libpcap read ${theirs.results.length}`);
          const expected = theirsAll.records.filter((_, k) => theirs.results[k] !== 0);
          await ourRun(filters, ['-w', written], capture.path);
          const got = inMicroseconds(splitPcap(readFileSync(written)));
          const differs = got.records.findIndex((r, k) => !r.equals(expected[k] ?? Buffer.alloc(0)));
          if (!got.header.equals(theirsAll.header)) disagreements.push(`${where}: -w header ${got.header.toString('hex')}, tcpdump's ${theirsAll.header.toString('hex')}`);
          else if (got.records.length !== expected.length) disagreements.push(`${where}: -w wrote ${got.records.length} packets, tcpdump ${expected.length}`);
          else if (differs >= 0) disagreements.push(`${where}: -w packet ${differs} differs from tcpdump's`);
          packetsWritten += got.records.length;
        }
        // Where libpcap master (which we follow) changed 1.10.3's behaviour (test/support/known-differences.ts);
        // the conformance cases check master's meaning there.
        const masterDiffers = capture.file in CAPTURES_WHERE_1_10_3_DIFFERS || capture.file in MASTER_DIFFERS_ON_CAPTURE || expr in MASTER_DIFFERS;
        if (disagreements.length > before && masterDiffers) {
          disagreements.splice(before);
          masterDifferences++;
        }
      }
    }
    console.log(
      `filter --count and -w vs tcpdump 4.99 / libpcap 1.10.3: ${pairs} pairs checked (${refusals} refused by both), ` +
        `${packetsWritten} packets written as tcpdump writes them, ${disagreements.length} disagree, ` +
        `${masterDifferences} differ on captures where libpcap master changed 1.10.3's behaviour`,
    );
    expect(pairs).toBeGreaterThan(100_000);
    expect(packetsWritten).toBeGreaterThan(100_000);
    expect(disagreements.slice(0, 60)).toEqual([]);
  }, 3_600_000);
});
