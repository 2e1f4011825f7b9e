// Capture reader benchmark (issue 3): packets/second reading a 1,000,000-packet capture made by
// ../shared/bench/gen-pcap.py, for our batch interface and packet iterator, next to the npm package
// pcap-parser and `tcpdump -r FILE -w /dev/null`, all measured in this run; with --big, the peak resident
// memory of reading a 2 GB capture (10,000,000 packets, generated and cached under /tmp on first use).
// Usage: npx tsx bench/capture.bench.ts [--big]
import { spawnSync } from 'node:child_process';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { readBatches, readCapture } from '../src/capture/index.js';
import { benchCapture } from './data.js';

const RUNS = 3;
const require = createRequire(import.meta.url);
const pcapParser = require('pcap-parser') as { parse(input: string): EventEmitter };

/** Each reader returns [packets, captured bytes] so that nothing can be optimised away. */
type Reader = (file: string) => Promise<[number, number]>;

const readers: Record<string, Reader> = {
  async 'readBatches (zero-copy batches)'(file) {
    let packets = 0;
    let bytes = 0;
    for await (const batch of readBatches(file)) {
      packets += batch.count;
      for (let i = 0; i < batch.count; i++) bytes += batch.caplens[i];
    }
    return [packets, bytes];
  },
  async 'readBatches from a stream'(file) {
    let packets = 0;
    let bytes = 0;
    for await (const batch of readBatches(createReadStream(file, { highWaterMark: 1 << 20 }))) {
      packets += batch.count;
      for (let i = 0; i < batch.count; i++) bytes += batch.caplens[i];
    }
    return [packets, bytes];
  },
  async 'readCapture (one object per packet)'(file) {
    let packets = 0;
    let bytes = 0;
    for await (const p of readCapture(file)) {
      packets++;
      bytes += p.data.length;
    }
    return [packets, bytes];
  },
  'pcap-parser 0.2.1 (npm)'(file) {
    return new Promise((resolve, reject) => {
      let packets = 0;
      let bytes = 0;
      const parser = pcapParser.parse(file);
      parser.on('packet', (p: { data: Buffer }) => {
        packets++;
        bytes += p.data.length;
      });
      parser.on('error', reject);
      parser.on('end', () => resolve([packets, bytes]));
    });
  },
};

async function bestSeconds(run: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await run();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

function tcpdumpSeconds(file: string): number {
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('tcpdump', ['-r', file, '-w', '/dev/null'], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`tcpdump failed: ${r.stderr}`);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

/** Peak RSS (VmHWM) of this process, in MB. */
const peakRssMb = (): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

/** Child mode: read FILE with one reader and print its peak RSS, so each figure is measured alone. */
async function rssChild(reader: string, file: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  const [packets] = await readers[reader](file);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ packets, seconds, peakRssMb: peakRssMb() }));
}

async function main(): Promise<void> {
  const file = benchCapture(1_000_000);
  const mb = statSync(file).size / 1e6;
  console.log(`# reading ${file} (${mb.toFixed(0)} MB), best of ${RUNS} runs`);
  console.log('| reader | packets | seconds | packets/s | MB/s | vs pcap-parser |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  const results: [string, number, number][] = [];
  let expected: [number, number] | undefined;
  for (const [name, read] of Object.entries(readers)) {
    const counts = await read(file); // warm-up, and the counts every reader must agree on
    if (expected && (counts[0] !== expected[0] || counts[1] !== expected[1])) {
      throw new Error(`${name} read ${counts.join('/')} packets/bytes, not ${expected.join('/')}`);
    }
    expected ??= counts;
    results.push([name, counts[0], await bestSeconds(() => read(file))]);
  }
  const parserSeconds = results.find(([n]) => n.startsWith('pcap-parser'))![2];
  for (const [name, packets, seconds] of results) {
    console.log(`| ${name} | ${packets} | ${seconds.toFixed(3)} | ${(packets / seconds / 1e6).toFixed(2)} M | ${(mb / seconds).toFixed(0)} | ${(parserSeconds / seconds).toFixed(1)}x |`);
  }
  const tcpdump = tcpdumpSeconds(file);
  console.log(`| tcpdump -r FILE -w /dev/null | ${expected![0]} | ${tcpdump.toFixed(3)} | ${(expected![0] / tcpdump / 1e6).toFixed(2)} M | ${(mb / tcpdump).toFixed(0)} | ${(parserSeconds / tcpdump).toFixed(1)}x |`);

  if (process.argv.includes('--big')) {
    const huge = benchCapture(10_000_000);
    console.log(`\n# peak RSS reading ${huge} (${(statSync(huge).size / 1e9).toFixed(2)} GB), each reader in its own process`);
    console.log('| reader | packets | seconds | peak RSS MB |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const name of ['readBatches (zero-copy batches)', 'readCapture (one object per packet)']) {
      const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--rss-child', name, huge], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`${name}: ${child.stderr}`);
      const r = JSON.parse(child.stdout) as { packets: number; seconds: number; peakRssMb: number };
      console.log(`| ${name} | ${r.packets} | ${r.seconds.toFixed(1)} | ${r.peakRssMb.toFixed(0)} |`);
    }
  }
}

const child = process.argv.indexOf('--rss-child');
if (child >= 0) await rssChild(process.argv[child + 1], process.argv[child + 2]);
else await main();
