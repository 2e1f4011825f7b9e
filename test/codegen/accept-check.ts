// The accept-case check: every accept case of libpcap's filter tests compiles, optimizer off and on,
// to programs with the same verdict as libpcap master's expected unoptimized program on every corpus
// packet of its link type and on PACKETS_PER_CASE crafted packets. (libpcap's optimized program is
// only the same function written shorter, so the unoptimized one is the reference for both.)
import { runCbpf } from '../../src/cbpf/interpreter.js';
import type { Insn } from '../../src/cbpf/insn.js';
import { acceptCases, auxFor, casePackets, compileCase, expectedUnopt, seedOf } from './conformance.js';

export interface AcceptOutcome {
  checked: number;
  packets: number;
  /** name -> what went wrong, per mode */
  unoptFailures: Map<string, string>;
  optFailures: Map<string, string>;
}

const hex = (p: Uint8Array): string => Buffer.from(p).toString('hex');

export async function checkAcceptCases(): Promise<AcceptOutcome> {
  const out: AcceptOutcome = { checked: 0, packets: 0, unoptFailures: new Map(), optFailures: new Map() };
  for (const c of acceptCases()) {
    out.checked++;
    const ours: Array<{ failures: Map<string, string>; program: Insn[] | null }> = [];
    for (const optimize of [false, true]) {
      const failures = optimize ? out.optFailures : out.unoptFailures;
      try {
        const r = compileCase(c, optimize);
        // libpcap's optimizer refuses these ("expression rejects all packets"); we warn and reject everything
        if (optimize && c.opt_undefined && !r.warnings.includes('expression rejects all packets')) {
          failures.set(c.name, 'no rejects-all warning');
        }
        ours.push({ failures, program: r.program });
      } catch (e) {
        failures.set(c.name, `refused: ${(e as Error).message}`);
        ours.push({ failures, program: null });
      }
    }
    const expected = expectedUnopt(c);
    const programs = ours.flatMap((o) => (o.program ? [o.program] : []));
    const pk = await casePackets(c, [expected, ...programs], seedOf(c.name));
    out.packets += pk.length;
    for (let i = 0; i < pk.length; i++) {
      const p = pk[i];
      const aux = c.linuxext ? auxFor(i) : undefined;
      const want = runCbpf(expected, p.data, p.wirelen, aux);
      for (const o of ours) {
        if (!o.program || o.failures.has(c.name)) continue;
        const got = runCbpf(o.program, p.data, p.wirelen, aux);
        if (got !== want) o.failures.set(c.name, `verdict ${got}, libpcap ${want} on ${hex(p.data)} (wirelen ${p.wirelen})`);
      }
    }
  }
  return out;
}
