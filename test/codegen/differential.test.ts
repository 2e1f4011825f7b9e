// Differential test against the installed libpcap (1.10.3) over the whole capture corpus: for every
// capture and every expression of test/fixtures/differential-exprs.txt, our program's value on each
// packet equals libpcap's, and where libpcap refuses the expression for the capture's link type, we
// refuse it too. Where libpcap master (which we follow) differs from 1.10.3, the pair is listed below.
import { describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import { compileFilter, type CompileResult } from '../../src/codegen/index.js';
import { FilterError } from '../../src/grammar/errors.js';
import { CAPTURES_WHERE_1_10_3_DIFFERS } from '../support/known-differences.js';
import { differentialCaptures, libpcapVerdicts, loadExpressions } from '../support/differential.js';
import { libpcapReadPackets, oracleUnavailableReason } from '../support/oracle.js';
import { testResolver } from './test-names.js';

/**
 * Expressions on which libpcap master (followed here, see the conformance data) and 1.10.3 give
 * different verdicts on some capture, with the reason. Their pairs are compared, and each entry must
 * differ somewhere (so the list stays exact).
 */
const MASTER_DIFFERS: Record<string, string> = {
  'ip multicast': 'master tests class D only (ip[16] & 0xf0 == 0xe0); 1.10.3 tests ip[16] >= 224',
  'ip6 multicast or ip multicast': 'as `ip multicast`',
  'ip multicast and not ether multicast': 'as `ip multicast`',
};

/** Captures (besides CAPTURES_WHERE_1_10_3_DIFFERS) where master and 1.10.3 differ for some expressions. */
const MASTER_DIFFERS_ON_CAPTURE: Record<string, string> = {
  'cve2015-0261-crash.pcap': 'SLIP direction byte neither 0 nor 1: master `outbound` is [0] == 1, 1.10.3 accepts any non-zero',
  'cve2015-0261-ipv6.pcap': 'SLIP direction byte (as above)',
  'heapoverflow-sl_if_print.pcap': 'SLIP direction byte (as above)',
  'isis-extd-isreach-oobr.pcap': 'IS-IS PDU type on C_HDLC: master skips the fudge byte (offset 5), 1.10.3 reads offset 4',
  'isis-seg-fault-3.pcapng': 'IS-IS PDU type on C_HDLC (as above)',
  'hoobr_juniper3.pcap': 'JUNIPER_ES has no payload offset: the index wraps below 0; master bpf_filter refuses a wrapping [x + k], 1.10.3 wraps it',
  'juniper_es_oobr.pcap': 'JUNIPER_ES index wrap (as above)',
};

const unavailable = oracleUnavailableReason();
const OPTIMIZE = process.env.DIFF_OPT !== '0';

describe.skipIf(unavailable !== undefined)('code generation: differential against libpcap over the corpus', () => {
  it('gives libpcap\'s verdict for every (capture, expression) pair', () => {
    const exprs = loadExpressions();
    const captures = differentialCaptures();
    const table = libpcapVerdicts(exprs, captures, true);
    let pairs = 0;
    let packets = 0;
    let skippedPairs = 0;
    const problems: string[] = [];
    const differed = new Set<string>();
    const compiled = new Map<string, CompileResult | Error>();
    captures.forEach((cap, ci) => {
      const read = libpcapReadPackets(cap.path);
      if (!read.ok) return; // libpcap cannot open it: nothing to compare
      const known = CAPTURES_WHERE_1_10_3_DIFFERS[cap.file];
      exprs.forEach((expr, ei) => {
        const listed = expr in MASTER_DIFFERS ? expr : cap.file in MASTER_DIFFERS_ON_CAPTURE ? cap.file : undefined;
        const report = (what: string): void => {
          if (listed !== undefined) differed.add(listed);
          else problems.push(what);
        };
        const theirs = table.verdicts[ci][ei];
        if (!theirs.ok && theirs.stage === 'open') return;
        if (known !== undefined) {
          skippedPairs++;
          return;
        }
        const key = `${read.linktype}\u0000${read.snaplen}\u0000${expr}`;
        let ours = compiled.get(key);
        if (ours === undefined) {
          try {
            ours = compileFilter(expr, { linktype: read.linktype, snaplen: read.snaplen, resolver: testResolver, offline: 'unswapped', optimize: OPTIMIZE });
          } catch (e) {
            if (!(e instanceof FilterError)) throw e;
            ours = e;
          }
          compiled.set(key, ours);
        }
        pairs++;
        const refused = ours instanceof Error || ours.warnings.includes('expression rejects all packets');
        if (!theirs.ok) {
          // libpcap's optimizer refuses an expression that rejects every packet: an unoptimized
          // program of ours must then reject every packet of the capture
          const rejectsAll = theirs.error.includes('rejects all packets') && !(ours instanceof Error) &&
            read.packets.every((p) => runCbpf((ours as CompileResult).program, p.data, p.wirelen) === 0);
          if (!refused && !rejectsAll) report(`${cap.file} ${JSON.stringify(expr)}: libpcap refuses (${theirs.error}), we compile`);
          return;
        }
        if (ours instanceof Error) {
          report(`${cap.file} ${JSON.stringify(expr)}: we refuse (${ours.message}), libpcap compiles`);
          return;
        }
        const program = ours.program;
        const n = Math.min(read.packets.length, theirs.results.length);
        for (let i = 0; i < n; i++) {
          const p = read.packets[i];
          packets++;
          const v = runCbpf(program, p.data, p.wirelen);
          if (v !== theirs.results[i]) {
            report(`${cap.file} ${JSON.stringify(expr)} packet ${i + 1}: ${v}, libpcap ${theirs.results[i]}`);
            break;
          }
        }
      });
    });
    console.log(`differential: ${pairs} (capture, expression) pairs checked over ${packets} packet verdicts; ${skippedPairs} pairs on captures of CAPTURES_WHERE_1_10_3_DIFFERS left out`);
    for (const p of problems.slice(0, 400)) console.log(p);
    expect(exprs.length).toBeGreaterThanOrEqual(150);
    expect(pairs).toBeGreaterThan(50_000);
    expect(problems).toEqual([]);
    // every listed master/1.10.3 difference shows up
    expect([...differed].sort()).toEqual([...Object.keys(MASTER_DIFFERS), ...Object.keys(MASTER_DIFFERS_ON_CAPTURE)].sort());
  }, 900_000);
});
