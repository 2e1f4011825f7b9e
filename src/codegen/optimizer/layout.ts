// Layout of a wide program into classic BPF's 8-bit conditional offsets. A conditional jump
// whose target is more than 255 instructions away goes through a trampoline, a `ja` (32-bit
// offset; not a copy of a target `ret`: Linux's scratch-memory check would carry what it knows
// after that `ret` into the next instruction). A trampoline can sit after any jump (control
// never falls into it), so it is placed as far forward as the jump allows and shared by
// every later jump to the same target that still reaches it. Insertions lengthen other jumps, so
// rounds repeat until every offset fits.
import { BPF_CLASS, BPF_JA, BPF_JMP, BPF_OP, type Insn } from '../../cbpf/insn.js';

const MAX_OFFSET = 255;
/** Distance kept free for trampolines inserted in the same round between a jump and its trampoline. */
const SLACK = 48;

interface Node {
  insn: Insn;
  /** index in the current round's instruction list */
  pos: number;
  /** jump targets (conditional: both; ja: jt) */
  jt?: Node;
  jf?: Node;
}

const isJa = (i: Insn): boolean => i.code === (BPF_JMP | BPF_JA);
const isCondJump = (i: Insn): boolean => BPF_CLASS(i.code) === BPF_JMP && BPF_OP(i.code) !== BPF_JA;
/** Control never runs from this jump into the next instruction (a `ret` would do too, but see above). */
const endsFlow = (i: Insn): boolean => BPF_CLASS(i.code) === BPF_JMP;

/**
 * Same program with every conditional offset ≤ 255 (input: forward conditional jumps, any
 * offsets). A program with a jump out of range or backward conditional jump comes back unchanged.
 */
export function layout(prog: readonly Insn[]): Insn[] {
  let nodes: Node[] = prog.map((insn, pos) => ({ insn: { ...insn }, pos }));
  let wellFormed = true;
  nodes.forEach((node, i) => {
    if (isJa(node.insn)) node.jt = nodes[i + 1 + (node.insn.k | 0)];
    else if (isCondJump(node.insn)) {
      node.jt = nodes[i + 1 + node.insn.jt];
      node.jf = nodes[i + 1 + node.insn.jf];
      wellFormed &&= node.insn.jt >= 0 && node.insn.jf >= 0;
    }
    wellFormed &&= !(isJa(node.insn) || isCondJump(node.insn)) || (node.jt !== undefined && (node.jf !== undefined || isJa(node.insn)));
  });
  if (!wellFormed) return prog.map((insn) => ({ ...insn }));
  for (let next = withTrampolines(nodes); next; next = withTrampolines(nodes)) nodes = next;
  numberNodes(nodes);
  return nodes.map((node, i) => {
    const insn = { ...node.insn };
    if (isJa(insn)) insn.k = (node.jt!.pos - i - 1) >>> 0;
    else if (isCondJump(insn)) {
      insn.jt = node.jt!.pos - i - 1;
      insn.jf = node.jf!.pos - i - 1;
    }
    return insn;
  });
}

/** The program with trampolines for every out-of-range jump; undefined when all are in range. */
function withTrampolines(nodes: Node[]): Node[] | undefined {
  // trampolines to insert after a node
  const pending = new Map<Node, Node[]>();
  numberNodes(nodes);
  // lastEnd[j]: the last position <= j where control does not fall through (-1: none)
  const lastEnd = new Int32Array(nodes.length);
  nodes.forEach((node, j) => (lastEnd[j] = endsFlow(node.insn) ? j : j > 0 ? lastEnd[j - 1] : -1));
  // per target: the last planned trampoline and the position it is inserted after
  const planned = new Map<Node, { node: Node; after: number }>();
  let any = false;
  nodes.forEach((node, i) => {
    if (!isCondJump(node.insn)) return;
    for (const edge of ['jt', 'jf'] as const) {
      const target = node[edge]!;
      if (target.pos - i - 1 <= MAX_OFFSET) continue;
      any = true;
      const prev = planned.get(target);
      if (prev && prev.after >= i && prev.after - i < MAX_OFFSET - SLACK) {
        node[edge] = prev.node;
        continue;
      }
      // the furthest point in reach where control does not fall through
      const after = Math.max(i, lastEnd[Math.min(i + MAX_OFFSET - SLACK, nodes.length - 1)]);
      const tramp: Node = { insn: { code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: 0 }, pos: -1, jt: target };
      const list = pending.get(nodes[after]) ?? [];
      list.push(tramp);
      pending.set(nodes[after], list);
      planned.set(target, { node: tramp, after });
      node[edge] = tramp;
    }
  });
  if (!any) return undefined;
  const out: Node[] = [];
  for (const node of nodes) {
    out.push(node);
    const tramps = pending.get(node);
    if (tramps) out.push(...tramps);
  }
  return out;
}

function numberNodes(nodes: Node[]): void {
  for (let i = 0; i < nodes.length; i++) nodes[i].pos = i;
}
