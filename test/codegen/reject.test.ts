// libpcap filter-test reject cases: every expression libpcap refuses (for its link type) is refused,
// or, where libpcap's optimizer says "expression rejects all packets", compiled with that warning to
// a program that rejects every packet.
import { describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import { FilterError } from '../../src/grammar/errors.js';
import { compileCase, rejectCases } from './conformance.js';

const REJECTS_ALL = 'expression rejects all packets';

/** Reject cases we still accept, with the reason (checked exactly: a fix forces an update). */
const KNOWN_ACCEPTED: Record<string, string> = {};

describe('code generation: libpcap reject cases', () => {
  it('refuses what libpcap refuses', () => {
    const cases = rejectCases();
    const accepted = new Map<string, string>();
    let sameMessage = 0;
    for (const c of cases) {
      try {
        const r = compileCase(c, true);
        const rejectsAll = c.error === REJECTS_ALL && r.warnings.includes(REJECTS_ALL) &&
          [new Uint8Array(0), new Uint8Array(64), new Uint8Array(1500).fill(0x45)].every((p) => runCbpf(r.program, p) === 0);
        if (rejectsAll) sameMessage++;
        else accepted.set(c.name, `${c.linktype} ${JSON.stringify(c.expr)} compiled; libpcap: ${c.error}`);
      } catch (e) {
        // a typed error pointing into the expression, never a crash
        expect(e, `${c.name}: ${String(e)}`).toBeInstanceOf(FilterError);
        if ((e as FilterError).reason.includes(c.error)) sameMessage++;
      }
    }
    console.log(`reject cases: ${cases.length - accepted.size}/${cases.length} refused, ${sameMessage} with libpcap's wording`);
    for (const [name, why] of accepted) if (!(name in KNOWN_ACCEPTED)) console.log(`${name}: ${why}`);
    expect(cases.length).toBeGreaterThan(15_000);
    expect([...accepted.keys()].sort()).toEqual(Object.keys(KNOWN_ACCEPTED).sort());
  }, 300_000);
});
