// The JIT on real traffic: libpcap's programs for a set of expressions (tcpdump -ddd, one process per
// expression), translated to eBPF, run over every Ethernet capture of ../shared/pcaps through the batch
// path the CLI uses (readBatches reading straight into the filter's wasm memory, then filterBatch) and
// one packet at a time; every verdict must equal the eBPF VM's.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CaptureFormatError, readBatches } from '../../src/capture/index.js';
import { parseCbpf } from '../../src/cbpf/parse.js';
import { compileJit } from '../../src/ebpf/jit/index.js';
import { translateCbpf } from '../../src/ebpf/translate.js';
import { runEbpfFilter } from '../../src/ebpf/vm.js';
import { corpusIndex } from '../support/corpus.js';
import { BENCH_FILTERS } from '../../bench/data.js';

const EXPRESSIONS = [
  ...BENCH_FILTERS,
  'greater 200',
  'ip6 protochain 17', // a backward jump: the JIT's dispatch loop
  'ether broadcast or ether multicast',
  'ip[6:2] & 0x1fff != 0 or ip6[6] == 44',
  'udp[8:4] == 0 or tcp[((tcp[12] & 0xf0) >> 2):2] = 0x4745',
  'icmp or icmp6 or arp',
];

const captures = corpusIndex().filter((f) => f.linktype === 'EN10MB');

describe('JIT == VM on the Ethernet captures of ../shared/pcaps', () => {
  it('has Ethernet captures to run on', () => {
    expect(captures.length).toBeGreaterThan(300);
  });

  it.each(EXPRESSIONS)('%s', async (expr) => {
    const ebpf = translateCbpf(parseCbpf(execFileSync('tcpdump', ['-y', 'EN10MB', '-ddd', expr], { encoding: 'utf8' })));
    const jit = compileJit(ebpf);
    let packets = 0;
    let matches = 0;
    for (const capture of captures) {
      try {
        for await (const batch of readBatches(capture.path, { allocate: jit.allocate, batchBytes: 1 << 16 })) {
          const expected: number[] = [];
          for (let i = 0; i < batch.count; i++) {
            const data = batch.buffer.subarray(batch.offsets[i], batch.offsets[i] + batch.caplens[i]);
            expected.push(runEbpfFilter(ebpf, data, batch.wirelens[i]));
          }
          const single = expected.map((_, i) =>
            jit.run(batch.buffer.slice(batch.offsets[i], batch.offsets[i] + batch.caplens[i]), batch.wirelens[i]),
          );
          // run() uses its own memory area: the batch read into the filter's memory stays intact
          expect([...jit.filterBatch(batch)]).toEqual(expected);
          expect(single).toEqual(expected);
          packets += batch.count;
          matches += expected.filter((v) => v !== 0).length;
        }
      } catch (e) {
        // a damaged capture ends with a CaptureFormatError after its good records
        if (!(e instanceof CaptureFormatError)) throw e;
      }
    }
    expect(packets).toBeGreaterThan(5000);
    expect(matches).toBeGreaterThan(0);
  });
});
