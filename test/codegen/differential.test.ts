// Differential test against the installed libpcap (1.10.3) over the whole capture corpus: for every
// capture and every expression of test/fixtures/differential-exprs.txt, our program's value on each
// packet equals libpcap's, and where libpcap refuses the expression for the capture's link type, we
// refuse it too. Where libpcap master (which we follow) differs from 1.10.3, the pair is listed below.
import { describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import { compileFilter, type CompileResult } from '../../src/codegen/index.js';
import { FilterError } from '../../src/grammar/errors.js';
import { CAPTURES_WHERE_1_10_3_DIFFERS, MASTER_DIFFERS, MASTER_DIFFERS_ON_CAPTURE } from '../support/known-differences.js';
import { differentialCaptures, libpcapVerdicts, loadExpressions } from '../support/differential.js';
import { libpcapReadPackets, oracleUnavailableReason } from '../support/oracle.js';
import { testResolver } from './test-names.js';

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
