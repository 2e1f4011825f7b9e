// The eBPF conformance suite (../shared/conformance/ebpf) on our assembler, disassembler and VM.
import { describe, expect, it } from 'vitest';
import { assembleEbpf, EbpfAsmError } from '../../src/ebpf/asm.js';
import { ebpfToAssembly } from '../../src/ebpf/disasm.js';
import { decodeEbpf, encodeEbpf } from '../../src/ebpf/encode.js';
import { runEbpf } from '../../src/ebpf/vm.js';
import { ebpfConformanceNegatives, ebpfConformanceTests, ebpfTestsJson, programOf } from '../support/ebpf-conformance.js';

const tests = ebpfConformanceTests();
const negatives = ebpfConformanceNegatives();
const expectedSlots = new Map(ebpfTestsJson().tests.map((t) => [t.file.replace(/\.data$/, ''), t.insns.join('')]));
const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('eBPF conformance suite', () => {
  it('has the 313 positive tests and 60 negatives the README counts', () => {
    expect(tests).toHaveLength(313);
    expect(negatives).toHaveLength(60);
    expect(negatives.filter((n) => n.name.startsWith('negative/unused-'))).toHaveLength(45);
  });

  describe.each(tests)('$name', (t) => {
    it('assembles to the bytes of tests.json', () => {
      expect(hexOf(encodeEbpf(programOf(t)))).toBe(expectedSlots.get(t.name));
    });

    // callx.data needs CALLX (0x8d, not RFC 9669); our VM implements it as uBPF does (helper id in dst's register).
    it('runs on the VM to the expected r0', () => {
      expect(t.result).toBeDefined();
      expect(runEbpf(programOf(t), { mem: t.mem })).toBe(t.result);
    });

    it('disassembles to text that assembles back to the same bytes', () => {
      const bytes = encodeEbpf(programOf(t));
      const text = ebpfToAssembly(decodeEbpf(bytes));
      expect(hexOf(encodeEbpf(assembleEbpf(text)))).toBe(hexOf(bytes));
    });
  });
});

// The README's assembler/parser negatives: each must be refused, by the .data parser (directive) or the assembler.
const ASSEMBLER_NEGATIVES = [
  'empty',
  'empty_instructions',
  'invalid_imm32_dec_range',
  'invalid_imm32_hex_range',
  'invalid_label',
  'invalid_lock',
  'invalid_lock2',
  'invalid_mnemonic',
  'invalid_offset',
  'invalid_offset_range',
  'invalid_operand_count',
  'invalid_register',
  'invalid_unknown_directive',
];

describe('assembler negatives', () => {
  it.each(ASSEMBLER_NEGATIVES)('refuses negative/%s', (name) => {
    const file = negatives.find((n) => n.name === `negative/${name}`);
    expect(file).toBeDefined();
    if (file!.unknownDirective !== undefined) {
      expect(name).toBe('invalid_unknown_directive');
      return;
    }
    expect(() => programOf(file!)).toThrow(EbpfAsmError);
  });

  it('names the bad register in invalid_register', () => {
    const file = negatives.find((n) => n.name === 'negative/invalid_register')!;
    expect(() => programOf(file)).toThrow(/invalid register '%r50'/);
  });

  it('runs the harness self-tests to their true values, not the deliberately wrong ones', () => {
    const wrong = negatives.find((n) => n.name === 'negative/incorrect_return_value_high_bits')!;
    const r0 = runEbpf(programOf(wrong), { mem: wrong.mem });
    expect(r0).toBe(0x8877665544332211n);
    expect(r0).not.toBe(wrong.result);
    const error = negatives.find((n) => n.name === 'negative/error')!;
    expect(() => programOf(error)).not.toThrow();
  });
});
