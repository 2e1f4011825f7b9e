// libpcap's verdicts for many expressions over the whole capture corpus, computed in one oracle
// run and cached in build/ so repeated test runs only pay for reading a JSON file.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { corpusIndex, extraCaptures } from './corpus.js';
import { BUILD_DIR, ORACLE_SOURCE, PROJECT_ROOT, libpcapFilterFile, type FilterFileResult } from './oracle.js';

export const DIFFERENTIAL_EXPRS_FILE = path.join(PROJECT_ROOT, 'test/fixtures/differential-exprs.txt');

const CACHE_PREFIX = 'differential-';
const CACHES_KEPT = 6;

/** A capture used for differential testing; `file` is relative to the shared pcaps folder. */
export interface DifferentialCapture {
  file: string;
  path: string;
}

/** Expressions of fixture text: one per line, blank lines and `#` comment lines skipped. */
export function parseExpressions(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** The expressions of a fixture file (see parseExpressions). */
export function loadExpressions(file = DIFFERENTIAL_EXPRS_FILE): string[] {
  return parseExpressions(readFileSync(file, 'utf8'));
}

/** Every readable capture: INDEX.tsv plus the crafted/ and libpcap-filter/ folders (invalid/ files cannot be opened). */
export function differentialCaptures(): DifferentialCapture[] {
  return [
    ...corpusIndex().map((f) => ({ file: f.file, path: f.path })),
    ...extraCaptures('libpcap-filter'),
    ...extraCaptures('crafted'),
  ];
}

export interface VerdictTable {
  exprs: string[];
  captures: DifferentialCapture[];
  optimize: boolean;
  /** verdicts[captureIndex][exprIndex]: libpcap's pcap_offline_filter results (or its error) for that pair. */
  verdicts: FilterFileResult[][];
}

function cacheKey(exprs: string[], captures: DifferentialCapture[], optimize: boolean): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ exprs, files: captures.map((c) => c.file), optimize }));
  h.update(readFileSync(ORACLE_SOURCE));
  return h.digest('hex').slice(0, 24);
}

/**
 * libpcap's verdict for every (capture, expression) pair, as pcap_open_offline + pcap_compile
 * (netmask unknown) + pcap_offline_filter give it. One oracle process for the whole table;
 * the result is cached in build/ keyed by the expressions, the capture names, `optimize` and the oracle source.
 */
export function libpcapVerdicts(
  exprs: string[],
  captures: DifferentialCapture[] = differentialCaptures(),
  optimize = true,
): VerdictTable {
  const cacheFile = path.join(BUILD_DIR, `${CACHE_PREFIX}${cacheKey(exprs, captures, optimize)}.json`);
  const cached = readCache(cacheFile);
  if (cached) return { exprs, captures, optimize, verdicts: cached };
  const flat = libpcapFilterFile(captures.flatMap((c) => exprs.map((expr) => ({ file: c.path, expr, optimize }))));
  const verdicts = captures.map((_, i) => flat.slice(i * exprs.length, (i + 1) * exprs.length));
  mkdirSync(BUILD_DIR, { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(verdicts));
  renameSync(tmp, cacheFile); // atomic: parallel workers may compute the same table
  pruneCaches();
  return { exprs, captures, optimize, verdicts };
}

function readCache(file: string): FilterFileResult[][] | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as FilterFileResult[][];
  } catch {
    return undefined; // missing, or pruned by another worker meanwhile: recompute
  }
}

/** Keeps the most recently written tables only (each is a few MB). */
function pruneCaches(): void {
  const caches = readdirSync(BUILD_DIR)
    .filter((n) => n.startsWith(CACHE_PREFIX) && n.endsWith('.json'))
    .map((n) => path.join(BUILD_DIR, n))
    .map((f) => ({ f, mtime: statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { f } of caches.slice(CACHES_KEPT)) rmSync(f, { force: true });
}

/** How many packets a verdict accepted (0 for errors). */
export function matchCount(v: FilterFileResult): number {
  return v.ok ? v.results.filter((r) => r !== 0).length : 0;
}
