// Translated programs in the real Linux kernel: every program libpcap compiles for Ethernet from the
// differential expression list is loaded with bpf(BPF_PROG_LOAD) as a socket filter and as a tc
// classifier, and the classifier is run with BPF_PROG_TEST_RUN over corpus packets; the kernel's
// verdicts must equal our VM's (and our cBPF interpreter's). Needs Linux, python3 and the right to call
// bpf() (root or CAP_BPF); otherwise the test is skipped and says why.
import { describe, expect, it } from 'vitest';
import { runCbpf } from '../../src/cbpf/interpreter.js';
import { BPF_JA, BPF_JMP, SKF_AD_OFF, SKF_AD_VLAN_TAG, SKF_AD_VLAN_TAG_PRESENT, insn, type Insn } from '../../src/cbpf/insn.js';
import { assembleEbpf } from '../../src/ebpf/asm.js';
import { translateCbpf } from '../../src/ebpf/translate.js';
import { runEbpfFilter } from '../../src/ebpf/vm.js';
import { kernelBpfUnavailableReason, runInKernel } from '../support/bpf-kernel.js';
import { corpusIndex } from '../support/corpus.js';
import { loadExpressions } from '../support/differential.js';
import { libpcapCompile, libpcapReadPackets, oracleUnavailableReason } from '../support/oracle.js';

const reason = kernelBpfUnavailableReason() ?? oracleUnavailableReason();
if (reason !== undefined) console.warn(`kernel eBPF test skipped: ${reason}`);

/** Backward `ja` (protochain): the kernel refuses such a loop (classic BPF never allowed it). */
const hasBackwardJump = (p: Insn[]): boolean => p.some((i) => i.code === (BPF_JMP | BPF_JA) && (i.k | 0) < 0);

/** One packet from each of up to `count` Ethernet captures: the kernel's test run needs 14..~3500 bytes, all captured. */
function ethernetPackets(count: number): Uint8Array[] {
  const packets: Uint8Array[] = [];
  for (const f of corpusIndex().filter((c) => c.linktype === 'EN10MB')) {
    if (packets.length >= count) break;
    const read = libpcapReadPackets(f.path);
    if (!read.ok) continue;
    const usable = read.packets.filter((p) => p.data.length >= 14 && p.data.length <= 1514 && p.data.length === p.wirelen);
    if (usable.length > 0) packets.push(usable[Math.floor(usable.length / 2)]!.data);
  }
  return packets;
}

describe('translated programs in the Linux kernel', () => {
  it.skipIf(reason !== undefined)(
    `load as SOCKET_FILTER and SCHED_CLS and give the VM's verdicts under BPF_PROG_TEST_RUN${reason ? ` (skipped: ${reason})` : ''}`,
    () => {
      const exprs = loadExpressions();
      const compiled = libpcapCompile(exprs.map((expr) => ({ expr, linktype: 'EN10MB' })));
      const cases = compiled.flatMap((c, i) => (c.ok ? [{ expr: exprs[i]!, cbpf: c.program, ebpf: translateCbpf(c.program) }] : []));
      // The kernel's test run refuses some packets (EINVAL, e.g. an IP header with an impossible length):
      // find them with a trivial program and leave them out.
      const candidates = ethernetPackets(160);
      const [probe] = runInKernel([{ prog: assembleEbpf('mov %r0, 1\nexit'), packets: candidates }]);
      const packets = candidates.filter((_, i) => probe!.retvals![i] === 1);
      const refusedPackets = candidates.length - packets.length;
      expect(refusedPackets).toBeLessThan(10);
      expect(packets.length).toBeGreaterThan(100);
      const results = runInKernel(cases.map((c) => ({ prog: c.ebpf, packets })));
      const problems: string[] = [];
      let loops = 0;
      let verdicts = 0;
      let accepted = 0;
      cases.forEach((c, i) => {
        const r = results[i]!;
        if (hasBackwardJump(c.cbpf)) {
          loops++;
          if (r.socket.ok || r.sched.ok) problems.push(`«${c.expr}»: a backward jump, yet the kernel loaded it`);
          return;
        }
        if (!r.socket.ok) problems.push(`«${c.expr}» refused as SOCKET_FILTER: ${r.socket.error}: ${r.socket.log}`);
        if (!r.sched.ok || !r.retvals) {
          problems.push(`«${c.expr}» refused as SCHED_CLS: ${r.sched.error}: ${r.sched.log}`);
          return;
        }
        packets.forEach((p, pi) => {
          const vm = runEbpfFilter(c.ebpf, p);
          const interp = runCbpf(c.cbpf, p);
          verdicts++;
          if (vm !== 0) accepted++;
          if (r.retvals![pi] !== vm || vm !== interp) problems.push(`«${c.expr}» packet ${pi}: kernel ${r.retvals![pi]}, VM ${vm}, runCbpf ${interp}`);
        });
      });
      console.log(
        `kernel: ${cases.length - loops} translated programs loaded as socket filter and tc classifier, ` +
          `${verdicts} test-run verdicts (${accepted} accepting) equal the VM's; ${loops} protochain programs refused as expected; ` +
          `${refusedPackets} packets the kernel's test run refuses left out`,
      );
      expect(problems.slice(0, 10)).toEqual([]);
      expect(cases.length - loops).toBeGreaterThan(200);
      expect(loops).toBeGreaterThan(0);
      expect(accepted).toBeGreaterThan(1000);
    },
  );

  it.skipIf(reason !== undefined)('accepts the context reads of translated VLAN ancillary loads', () => {
    // ld vlan_tag_present; jeq 0 -> ret 7; else ldh vlan_tag; ret a
    const cbpf = [
      insn(0x20, (SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT) >>> 0),
      insn(0x15, 0, 2, 0),
      insn(0x28, (SKF_AD_OFF + SKF_AD_VLAN_TAG) >>> 0),
      insn(0x16),
      insn(0x06, 7),
    ];
    const prog = translateCbpf(cbpf);
    const packets = [new Uint8Array(60), Uint8Array.from({ length: 64 }, (_, i) => i)];
    const [r] = runInKernel([{ prog, packets }]);
    expect(r!.socket).toEqual({ ok: true });
    expect(r!.sched).toEqual({ ok: true });
    // the test run's skb carries no VLAN tag: vlan_present is 0
    expect(r!.retvals).toEqual(packets.map((p) => runEbpfFilter(prog, p)));
    expect(r!.retvals).toEqual([7, 7]);
  });
});
