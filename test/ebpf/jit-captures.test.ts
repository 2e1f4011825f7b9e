// The JIT on real traffic: libpcap's programs for a set of expressions (tcpdump -ddd, one process per
// expression), translated to eBPF, run over every Ethernet capture of ../shared/pcaps through the batch
// paths (readBatches reading straight into the filter's wasm memory, then filterBatch; the record walk
// the JIT hosts, which filters as it reads, with room for all records or for a few per round) and one
// packet at a time; every verdict must equal the eBPF VM's.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CaptureFormatError, readBatches, type BatchReadOptions, type CaptureBatch } from '../../src/capture/index.js';
import { FILTERING_PCAP_WALK, type RecordWalk, type Scan } from '../../src/capture/pcap-scan.js';
import { parseCbpf } from '../../src/cbpf/parse.js';
import { compileJit, type JitFilter } from '../../src/ebpf/jit/index.js';
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

/** Reading options whose record walk is the filtering one `jit` hosts; `scratch` bytes after each batch. */
function walkingOptions(jit: JitFilter, scratch?: number): BatchReadOptions {
  const walk: RecordWalk = { memory: jit.memory, scan: jit.hosted(FILTERING_PCAP_WALK).scan as Scan, filter: jit };
  const allocate = scratch === undefined
    ? jit.allocate
    : (size: number) => {
      // (allocate() grows the memory enough; the batch then goes at its end)
      jit.allocate(size + scratch);
      const end = jit.memory.buffer.byteLength;
      return new Uint8Array(jit.memory.buffer, (end - scratch - size) & ~7, size);
    };
  return { allocate, walkOf: (b) => (b.buffer === jit.memory.buffer ? walk : undefined), batchBytes: 1 << 16 };
}

/** The walk's verdicts and match count of a batch, or undefined when it left some record unfiltered. */
function walked(batch: CaptureBatch): number[] | undefined {
  const w = batch.walkVerdicts;
  if (!w) return undefined;
  const verdicts = [...w.verdicts.subarray(0, batch.count)];
  expect(w.matches).toBe(verdicts.filter((v) => v !== 0).length);
  return verdicts;
}

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

    for (const scratch of [undefined, 100]) {
      let walkedPackets = 0;
      for (const capture of captures) {
        try {
          for await (const batch of readBatches(capture.path, walkingOptions(jit, scratch))) {
            const verdicts = walked(batch);
            if (!verdicts) continue;
            const expected = verdicts.map((_, i) =>
              runEbpfFilter(ebpf, batch.buffer.subarray(batch.offsets[i], batch.offsets[i] + batch.caplens[i]), batch.wirelens[i]),
            );
            expect(verdicts, capture.path).toEqual(expected);
            walkedPackets += batch.count;
          }
        } catch (e) {
          if (!(e instanceof CaptureFormatError)) throw e;
        }
      }
      // little-endian pcap files with in-order lengths are walked (big-endian ones and pcapng are not)
      expect(walkedPackets).toBeGreaterThan(packets / 4);
    }
  });
});
