// Merging of identical blocks (same statements, same terminator, same successors after merging,
// so identical returns and identical sub-graphs become one), bypassing of empty gotos and of
// branches whose two targets are the same. Works bottom-up, so it is one linear pass.
import { isGoto, isRet, topoOrder, type Block } from './cfg.js';
import { setGoto } from './numbering.js';

/** Returns the new root; blocks are rewired in place. */
export function mergeBlocks(root: Block): Block {
  const order = topoOrder(root);
  const canon = new Map<Block, Block>();
  const byKey = new Map<string, Block>();
  const ids = new Map<Block, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const b = order[i];
    if (!isRet(b)) {
      b.jt = canon.get(b.jt!)!;
      b.jf = canon.get(b.jf!)!;
      if (b.jt === b.jf && !isGoto(b)) setGoto(b, b.jt);
      if (isGoto(b) && b.stmts.length === 0) {
        canon.set(b, b.jt);
        continue;
      }
    }
    const stmts = b.stmts.map((s) => `${s.code},${s.k}`).join(';');
    const key = `${stmts}|${b.code},${b.k}|${b.jt ? ids.get(b.jt) : ''},${b.jf ? ids.get(b.jf) : ''}`;
    let rep = byKey.get(key);
    if (!rep) {
      rep = b;
      byKey.set(key, b);
      ids.set(b, ids.size);
    }
    canon.set(b, rep);
  }
  return canon.get(root)!;
}
