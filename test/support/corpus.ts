// The shared capture corpus (/work/shared/pcaps) and libpcap conformance data (/work/shared/conformance).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, libpcapDltNames, libpcapDltValues } from './oracle.js';

export const SHARED_DIR = path.resolve(PROJECT_ROOT, '../shared');
export const PCAPS_DIR = path.join(SHARED_DIR, 'pcaps');
export const CONFORMANCE_DIR = path.join(SHARED_DIR, 'conformance');

/** One row of pcaps/INDEX.tsv. */
export interface CorpusFile {
  /** File name relative to PCAPS_DIR, e.g. 'ssh.pcap'. */
  file: string;
  /** Absolute path. */
  path: string;
  format: 'pcap' | 'pcapng';
  /** DLT name as tcpdump prints it (e.g. 'EN10MB'), or 'DLT_<n>' where libpcap 1.10.3 has no name. */
  linktype: string;
  packets: number;
  bytes: number;
  /** The `;`-separated notes, trimmed (see pcaps/README.md for the vocabulary). */
  notes: string[];
}

let indexCache: CorpusFile[] | undefined;

/** The 600 tcpdump test captures listed in INDEX.tsv, in INDEX order. */
export function corpusIndex(): CorpusFile[] {
  if (indexCache) return indexCache;
  const [header, ...rows] = readFileSync(path.join(PCAPS_DIR, 'INDEX.tsv'), 'utf8').split('\n').filter((l) => l !== '');
  const cols = header.split('\t');
  const col = (name: string): number => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`INDEX.tsv has no column ${name}`);
    return i;
  };
  const [iFile, iFormat, iLink, iPackets, iBytes, iNotes] = ['file', 'format', 'linktype', 'packets', 'bytes', 'notes'].map(col);
  indexCache = rows.map((row) => {
    const f = row.split('\t');
    return {
      file: f[iFile],
      path: path.join(PCAPS_DIR, f[iFile]),
      format: f[iFormat] as 'pcap' | 'pcapng',
      linktype: f[iLink],
      packets: Number(f[iPackets]),
      bytes: Number(f[iBytes]),
      notes: (f[iNotes] ?? '').split(';').map((n) => n.trim()).filter((n) => n !== ''),
    };
  });
  return indexCache;
}

export type ExtraFolder = 'crafted' | 'invalid' | 'libpcap-filter';

/** A capture in one of the extra folders (not in INDEX.tsv). */
export interface ExtraCapture {
  /** Path relative to PCAPS_DIR, e.g. 'crafted/truncated-record.pcap' (the form the conformance files use). */
  file: string;
  path: string;
}

/** Captures of pcaps/crafted, pcaps/invalid or pcaps/libpcap-filter, sorted by name. */
export function extraCaptures(folder: ExtraFolder): ExtraCapture[] {
  return readdirSync(path.join(PCAPS_DIR, folder))
    .filter((n) => n.endsWith('.pcap') || n.endsWith('.pcapng'))
    .sort()
    .map((n) => ({ file: `${folder}/${n}`, path: path.join(PCAPS_DIR, folder, n) }));
}

/** Absolute path of a capture given relative to PCAPS_DIR (INDEX name or a conformance `savefile`). */
export function capturePath(relative: string): string {
  return path.join(PCAPS_DIR, relative);
}

const dltCache = new Map<string, number>();

/**
 * DLT numbers for link-type names as INDEX.tsv and `tcpdump -y` spell them, asked of libpcap
 * (pcap_datalink_name_to_val), one oracle run per call. 'DLT_<n>' gives n; unknown names give -1.
 */
export function linktypeValues(names: string[]): Map<string, number> {
  const missing = [...new Set(names)].filter((n) => !dltCache.has(n) && !/^DLT_\d+$/.test(n));
  libpcapDltValues(missing).forEach((v, i) => dltCache.set(missing[i], v));
  return new Map(names.map((n) => [n, /^DLT_\d+$/.test(n) ? Number(n.slice(4)) : dltCache.get(n)!]));
}

/** DLT number of one link-type name (see linktypeValues). */
export function linktypeValue(name: string): number {
  return linktypeValues([name]).get(name)!;
}

/** Link-type names as INDEX.tsv spells them for DLT values: libpcap's name, or 'DLT_<n>' when it has none. */
export function linktypeNames(values: number[]): string[] {
  return libpcapDltNames(values).map((d, i) => d.name ?? `DLT_${values[i]}`);
}

// ---- conformance data (README-libpcap.md) ----

interface FilterTestBase {
  name: string;
  block: string;
  alias_index: number;
  linktype: string | null;
  expr: string | null;
  snaplen: number | null;
  netmask: string | null;
  optunopt_identical: boolean;
  opt_undefined: boolean;
  linuxext: boolean;
  generate_offline_filter: 'unswapped' | 'swapped' | null;
  skip_if: string | null;
  skip_on_reference_linux: string | null;
}

/** Expression that must compile; opt/unopt are `tcpdump -d` lines (libpcap master). */
export interface AcceptCase extends FilterTestBase {
  kind: 'accept';
  linktype: string;
  expr: string;
  opt: string[] | null;
  unopt: string[];
  error: null;
  savefile: null;
  timeout: null;
}

/** Expression (or, when `savefile` is set, a savefile) that must fail; `error` is a substring of the expected message. */
export interface RejectCase extends FilterTestBase {
  kind: 'reject';
  opt: null;
  unopt: null;
  error: string;
  savefile: string | null;
  timeout: number | null;
}

export type FilterTestCase = AcceptCase | RejectCase;

/** Expression run over a savefile (relative to PCAPS_DIR); `results` per packet, opt and unopt alike. */
export interface ApplyCase {
  name: string;
  kind: 'apply';
  savefile: string;
  expr: string;
  netmask: string | null;
  results: number[];
  skip_if: string | null;
  skip_on_reference_linux: string | null;
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(path.join(CONFORMANCE_DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

let filterTestsCache: FilterTestCase[] | undefined;
let applyCache: ApplyCase[] | undefined;

/** All records of libpcap-filtertests.jsonl (accept and reject). */
export function filterTestCases(): FilterTestCase[] {
  return (filterTestsCache ??= readJsonl<FilterTestCase>('libpcap-filtertests.jsonl'));
}

/** All records of libpcap-filterapply.jsonl. */
export function applyCases(): ApplyCase[] {
  return (applyCache ??= readJsonl<ApplyCase>('libpcap-filterapply.jsonl'));
}
