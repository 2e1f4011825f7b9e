// The library's filterCapture() over the whole corpus, against libpcap: the packets it yields are the
// ones pcap_offline_filter accepts (same count; same bytes and wire length as readCapture gives them).
// It compiles per link type and per file byte order, as libpcap does for a savefile: on DLT_NULL
// captures `ip6` differs between a live and a savefile compile.
import { describe, expect, it } from 'vitest';
import { CaptureFormatError, filterCapture, readCapture, type CapturedPacket } from '../src/index.js';
import { libpcapVerdicts, type DifferentialCapture } from './support/differential.js';
import { CAPTURES_WHERE_1_10_3_DIFFERS, MASTER_DIFFERS_ON_CAPTURE } from './support/known-differences.js';

/** libpcap stops at a pcapng file's second link type; we read on (test/cli/cli.test.ts checks that file). */
const MIXED_LINKTYPES = /different from the type of the first interface/;

const EXPRS = ['ip', 'ip6', 'not ip6', 'tcp port 80', 'udp and dst port 53', 'icmp or icmp6', 'vlan', 'len > 100'];

/** Every packet of a source up to a capture format error (a damaged file keeps its good packets). */
async function collect(packets: AsyncIterable<CapturedPacket>): Promise<CapturedPacket[]> {
  const out: CapturedPacket[] = [];
  try {
    for await (const p of packets) out.push(p);
  } catch (e) {
    if (!(e instanceof CaptureFormatError)) throw e;
  }
  return out;
}

const comparable = (c: DifferentialCapture): boolean =>
  !(c.file in CAPTURES_WHERE_1_10_3_DIFFERS) && !(c.file in MASTER_DIFFERS_ON_CAPTURE);

describe('filterCapture against libpcap', () => {
  it('yields exactly the packets libpcap accepts, on every capture of the corpus', async () => {
    const table = libpcapVerdicts(EXPRS);
    const wrong: string[] = [];
    let pairs = 0;
    let matched = 0;
    for (const [ci, capture] of table.captures.entries()) {
      if (!comparable(capture)) continue;
      const all = await collect(readCapture(capture.path));
      for (const [ei, expr] of EXPRS.entries()) {
        const theirs = table.verdicts[ci][ei];
        // files libpcap cannot open, link types it refuses the expression on, pcapng it stops reading early
        if (!theirs.ok || (theirs.readError !== undefined && MIXED_LINKTYPES.test(theirs.readError))) continue;
        pairs++;
        const expected = all.filter((_, i) => theirs.results[i] !== 0);
        const ours = await collect(filterCapture(capture.path, expr));
        matched += ours.length;
        const same = ours.length === expected.length &&
          ours.every((p, i) => p.wirelen === expected[i].wirelen && Buffer.from(p.data).equals(Buffer.from(expected[i].data)));
        if (!same) wrong.push(`${capture.file} '${expr}': ${ours.length} packets, libpcap ${expected.length}`);
      }
    }
    expect(pairs).toBeGreaterThan(3000);
    expect(matched).toBeGreaterThan(1000);
    expect(wrong.slice(0, 30)).toEqual([]);
  }, 600_000);
});
