// libpcap filter-test apply cases: an expression compiled for a capture's link type returns, packet by
// packet, the values libpcap master returns (optimizer on and off).
import { describe, expect, it } from 'vitest';
import { batchPacket, readBatches } from '../../src/capture/index.js';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import { compileFilter } from '../../src/codegen/index.js';
import { applyCases, capturePath } from '../support/corpus.js';
import { parseNetmask } from './conformance.js';
import { blankComments } from '../../src/grammar/comments.js';
import { testResolver } from './test-names.js';

/** Apply cases whose results still differ, with the reason (checked exactly: a fix forces an update). */
const KNOWN_FAILING: Record<string, string> = {};

/** The capture's link type and snapshot length (what pcap_open_offline gives a filter) and its packets. */
async function packetsOf(file: string): Promise<{ dlt: number; snaplen: number; packets: Array<{ data: Uint8Array; wirelen: number }> }> {
  const packets: Array<{ data: Uint8Array; wirelen: number }> = [];
  let dlt = -1;
  let snaplen = 262144;
  for await (const batch of readBatches(capturePath(file))) {
    if (batch.interfaces.length) ({ linktype: dlt, snaplen } = batch.interfaces[0]);
    for (let i = 0; i < batch.count; i++) {
      const p = batchPacket(batch, i);
      packets.push({ data: p.data, wirelen: p.wirelen });
    }
  }
  return { dlt, snaplen, packets };
}

describe('code generation: libpcap apply cases', () => {
  it('returns libpcap\'s value for every packet', async () => {
    const cases = applyCases().filter((c) => c.skip_on_reference_linux === null);
    const failing = new Map<string, string>();
    for (const c of cases) {
      const { dlt, snaplen, packets } = await packetsOf(c.savefile);
      for (const optimize of [true, false]) {
        let got: number[];
        try {
          const { program } = compileFilter(blankComments(c.expr), {
            linktype: dlt, snaplen, netmask: parseNetmask(c.netmask), resolver: testResolver, optimize, offline: 'unswapped',
          });
          got = packets.map((p) => runCbpf(program, p.data, p.wirelen));
        } catch (e) {
          failing.set(c.name, `refused: ${(e as Error).message}`);
          break;
        }
        if (JSON.stringify(got) !== JSON.stringify(c.results)) {
          failing.set(c.name, `${optimize ? 'optimized' : 'unoptimized'}: ${JSON.stringify(got)}, libpcap ${JSON.stringify(c.results)}`);
          break;
        }
      }
    }
    console.log(`apply cases: ${cases.length - failing.size}/${cases.length} give libpcap's results`);
    for (const [name, why] of failing) if (!(name in KNOWN_FAILING)) console.log(`${name}: ${why}`);
    expect(cases.length).toBeGreaterThan(150);
    expect([...failing.keys()].sort()).toEqual(Object.keys(KNOWN_FAILING).sort());
  }, 300_000);
});
