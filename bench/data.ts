// Benchmark captures made by ../shared/bench/gen-pcap.py, cached under /tmp so runs share them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GENERATOR = path.resolve(ROOT, '../shared/bench/gen-pcap.py');
const CACHE_DIR = '/tmp/filterjit-bench';

/** Path of a deterministic N-packet Ethernet capture, generated on first use. */
export function benchCapture(packets = 1_000_000): string {
  const file = path.join(CACHE_DIR, `gen-${packets}.pcap`);
  if (!existsSync(file)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    process.stderr.write(`generating ${packets}-packet capture ${file} ...\n`);
    const tmp = `${file}.${process.pid}.tmp`;
    execFileSync('python3', [GENERATOR, tmp, String(packets)], { stdio: 'inherit' });
    renameSync(tmp, file);
  }
  return file;
}

/** The six filters every speed benchmark reports (issue 8 and 9). */
export const BENCH_FILTERS = [
  'tcp port 80',
  'ip and udp and dst port 53',
  'ip6 and tcp',
  'vlan and tcp',
  'tcp[tcpflags] & tcp-syn != 0',
  'host 10.0.0.5 or host 10.0.0.6 or net 192.168.1.0/24',
];
