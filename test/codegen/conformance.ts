// Shared pieces of the code-generation conformance tests (filtertest reads each expression from a file,
// blanking `#` comments as blankComments does): compile options of a libpcap test case,
// and the comparison of our program with libpcap's expected program over many packets.
import type { Insn } from '../../src/cbpf/insn.js';
import { parseCbpf } from '../../src/cbpf/parse.js';
import { compileFilter, type CompileOptions, type CompileResult } from '../../src/codegen/index.js';
import { resolveLinktype } from '../../src/codegen/linktypes.js';
import { blankComments } from '../../src/grammar/comments.js';
import { netmaskValue } from '../../src/filter.js';
import { filterTestCases, type AcceptCase, type RejectCase } from '../support/corpus.js';
import { corpusByDlt, craftedPackets, type Packet } from './packets.js';
import { testResolver } from './test-names.js';

/** Random and mutated packets per accept case (besides every corpus packet of its link type). */
export const PACKETS_PER_CASE = 10_000;

export function parseNetmask(s: string | null): number | undefined {
  return s === null ? undefined : netmaskValue(s);
}


function caseOptions(c: AcceptCase | RejectCase, optimize: boolean): CompileOptions {
  return {
    linktype: c.linktype!,
    snaplen: c.snaplen ?? undefined,
    netmask: parseNetmask(c.netmask),
    linuxExt: c.linuxext,
    offline: c.generate_offline_filter ?? undefined,
    resolver: testResolver,
    optimize,
  };
}

export function compileCase(c: AcceptCase | RejectCase, optimize: boolean): CompileResult {
  return compileFilter(blankComments(c.expr!), caseOptions(c, optimize));
}

/** Accept cases that run on the reference host (Linux, glibc, little-endian), filter keyword excluded. */
export function acceptCases(): AcceptCase[] {
  return filterTestCases().filter(
    (c): c is AcceptCase => c.kind === 'accept' && c.skip_on_reference_linux === null && c.expr !== '_enumerate_bpf_image',
  );
}

/** Reject cases with an expression that run on the reference host (savefile-only ones are the capture reader's). */
export function rejectCases(): RejectCase[] {
  return filterTestCases().filter(
    (c): c is RejectCase => c.kind === 'reject' && c.skip_on_reference_linux === null && c.expr !== null,
  );
}

/** VLAN metadata for Linux-extension programs: none for half the packets, a random tag for the rest. */
export function auxFor(i: number): { vlanTagPresent: boolean; vlanTag: number } {
  return { vlanTagPresent: i % 2 === 1, vlanTag: (i * 2654435761) & 0xffff };
}

/** Packets for one case: the corpus packets of its link type and crafted ones. */
export async function casePackets(c: AcceptCase, programs: Array<readonly Insn[]>, seed: number): Promise<Packet[]> {
  const corpus = (await corpusByDlt()).get(resolveLinktype(c.linktype)) ?? [];
  return [...corpus, ...craftedPackets(corpus, programs, PACKETS_PER_CASE, seed)];
}

export function expectedUnopt(c: AcceptCase): Insn[] {
  return parseCbpf(c.unopt.join('\n'));
}

/** A stable seed per case name, so that a failure reproduces. */
export function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}
