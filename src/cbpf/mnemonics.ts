// The instruction vocabulary of libpcap's bpf_image(): one mnemonic and operand shape per opcode.
// Shared by the printer (image.ts) and the parser (parse.ts).

import {
  SKF_AD_ALU_XOR_X,
  SKF_AD_CPU,
  SKF_AD_HATYPE,
  SKF_AD_IFINDEX,
  SKF_AD_MARK,
  SKF_AD_NLATTR,
  SKF_AD_NLATTR_NEST,
  SKF_AD_OFF,
  SKF_AD_PAY_OFFSET,
  SKF_AD_PKTTYPE,
  SKF_AD_PROTOCOL,
  SKF_AD_QUEUE,
  SKF_AD_RANDOM,
  SKF_AD_RXHASH,
  SKF_AD_VLAN_TAG,
  SKF_AD_VLAN_TAG_PRESENT,
  SKF_AD_VLAN_TPID,
  BPF_CLASS,
  BPF_JA,
  BPF_JMP,
  BPF_OP,
} from './insn.js';

/**
 * How an instruction's operand is written:
 * none (`tax`), x (`add x`), dec (`#%d` of k), hex (`#0x%x` of k), abs (`[%d]` or an ancillary name),
 * ind (`[x + %d]`), msh (`4*([%d]&0xf)`), mem (`M[%d]`), pktlen (`#pktlen`), ja (absolute target).
 */
export type OperandKind = 'none' | 'x' | 'dec' | 'hex' | 'abs' | 'ind' | 'msh' | 'mem' | 'pktlen' | 'ja';

export interface Mnemonic {
  code: number;
  op: string;
  operand: OperandKind;
  /** True when only libpcap after 1.10 names the opcode (1.10.3's bpf_image prints it as `unimp`). */
  afterLibpcap110?: boolean;
}

/** Every opcode bpf_image() knows, in opcode order. */
export const MNEMONICS: readonly Mnemonic[] = [
  { code: 0x00, op: 'ld', operand: 'hex' },
  { code: 0x01, op: 'ldx', operand: 'hex' },
  { code: 0x02, op: 'st', operand: 'mem' },
  { code: 0x03, op: 'stx', operand: 'mem' },
  { code: 0x04, op: 'add', operand: 'dec' },
  { code: 0x05, op: 'ja', operand: 'ja' },
  { code: 0x06, op: 'ret', operand: 'dec' },
  { code: 0x07, op: 'tax', operand: 'none' },
  { code: 0x0c, op: 'add', operand: 'x' },
  { code: 0x14, op: 'sub', operand: 'dec' },
  { code: 0x15, op: 'jeq', operand: 'hex' },
  { code: 0x16, op: 'ret', operand: 'none' },
  { code: 0x1c, op: 'sub', operand: 'x' },
  { code: 0x1d, op: 'jeq', operand: 'x' },
  { code: 0x20, op: 'ld', operand: 'abs' },
  { code: 0x24, op: 'mul', operand: 'dec' },
  { code: 0x25, op: 'jgt', operand: 'hex' },
  { code: 0x28, op: 'ldh', operand: 'abs' },
  { code: 0x2c, op: 'mul', operand: 'x' },
  { code: 0x2d, op: 'jgt', operand: 'x' },
  { code: 0x30, op: 'ldb', operand: 'abs' },
  { code: 0x34, op: 'div', operand: 'dec' },
  { code: 0x35, op: 'jge', operand: 'hex' },
  { code: 0x3c, op: 'div', operand: 'x' },
  { code: 0x3d, op: 'jge', operand: 'x' },
  { code: 0x40, op: 'ld', operand: 'ind' },
  { code: 0x44, op: 'or', operand: 'hex' },
  { code: 0x45, op: 'jset', operand: 'hex' },
  { code: 0x48, op: 'ldh', operand: 'ind' },
  { code: 0x4c, op: 'or', operand: 'x' },
  { code: 0x4d, op: 'jset', operand: 'x' },
  { code: 0x50, op: 'ldb', operand: 'ind' },
  { code: 0x54, op: 'and', operand: 'hex' },
  { code: 0x5c, op: 'and', operand: 'x' },
  { code: 0x60, op: 'ld', operand: 'mem' },
  { code: 0x61, op: 'ldx', operand: 'mem' },
  { code: 0x64, op: 'lsh', operand: 'dec' },
  { code: 0x6c, op: 'lsh', operand: 'x' },
  { code: 0x74, op: 'rsh', operand: 'dec' },
  { code: 0x7c, op: 'rsh', operand: 'x' },
  { code: 0x80, op: 'ld', operand: 'pktlen' },
  { code: 0x81, op: 'ldx', operand: 'pktlen', afterLibpcap110: true },
  { code: 0x84, op: 'neg', operand: 'none' },
  { code: 0x87, op: 'txa', operand: 'none' },
  { code: 0x94, op: 'mod', operand: 'dec' },
  { code: 0x9c, op: 'mod', operand: 'x' },
  { code: 0xa4, op: 'xor', operand: 'hex' },
  { code: 0xac, op: 'xor', operand: 'x' },
  { code: 0xb1, op: 'ldxb', operand: 'msh' },
];

/** Mnemonic for an opcode bpf_image() does not know. */
export const UNKNOWN_OP = 'unimp';

/** The names bpf_image() gives Linux ancillary loads `ld/ldh/ldb [SKF_AD_OFF + n]`, by n. */
export const ANCILLARY_NAMES: ReadonlyMap<number, string> = new Map([
  [SKF_AD_PROTOCOL, 'proto'],
  [SKF_AD_PKTTYPE, 'type'],
  [SKF_AD_IFINDEX, 'ifidx'],
  [SKF_AD_NLATTR, 'nla'],
  [SKF_AD_NLATTR_NEST, 'nlan'],
  [SKF_AD_MARK, 'mark'],
  [SKF_AD_QUEUE, 'queue'],
  [SKF_AD_HATYPE, 'hatype'],
  [SKF_AD_RXHASH, 'rxhash'],
  [SKF_AD_CPU, 'cpu'],
  [SKF_AD_ALU_XOR_X, 'xor_x'],
  [SKF_AD_VLAN_TAG, 'vlan_tci'],
  [SKF_AD_VLAN_TAG_PRESENT, 'vlanp'],
  [SKF_AD_PAY_OFFSET, 'poff'],
  [SKF_AD_RANDOM, 'random'],
  [SKF_AD_VLAN_TPID, 'vlan_tpid'],
]);

/** The ancillary name of an absolute-load offset k, if it has one. */
export function ancillaryName(k: number): string | undefined {
  const n = (k - SKF_AD_OFF) >>> 0;
  return n < 0x1000 ? ANCILLARY_NAMES.get(n) : undefined;
}

const byCode = new Map(MNEMONICS.map((m) => [m.code, m]));

/** The mnemonic of an opcode, or undefined when bpf_image() prints it as `unimp`. */
export function mnemonicOf(code: number): Mnemonic | undefined {
  return byCode.get(code);
}

/** True when bpf_image() prints `jt N<TAB>jf M` after the operand: jump class, any operation but ja. */
export function printsJumpTargets(code: number): boolean {
  return BPF_CLASS(code) === BPF_JMP && BPF_OP(code) !== BPF_JA;
}
