/**
 * Accessors defined as functions (`static inline struct foo_inode *FOO(struct inode *inode)` whose body
 * only returns container_of over its parameter), told apart from other calls once the tree is linked: a local
 * initialised by such a call names the caller's object (an alias, aliases.ts), and an assignment of one
 * (`ci = foo_inode(inode);`) says the two are equal, as a copy of a field would.
 */
import { type FunctionIR, equalityText } from '../ir';
import { Aliases } from '../syntax';

/** The function name and first argument of a call text (`foo_inode(inode)`), if it is one call over plain names. */
function callOf(text: string): { fn: string; args: string } | undefined {
  const m = /^([a-z_]\w*)\((.*)\)$/.exec(text);
  if (!m) return undefined;
  // the arguments: names, fields and addresses only (no nested call, no operator)
  return /^[&*]?[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)*(?:,[&*]?[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)*)*$/.test(m[2])
    ? { fn: m[1], args: m[2] }
    : undefined;
}

/**
 * Rewrite `ir` now that `isAccessor` says which functions it calls are accessors: its locals initialised by
 * one become aliases, and its assignments of one give their equality fact. Returns whether anything changed.
 */
export function promoteAccessors(ir: FunctionIR, isAccessor: (fn: string) => boolean): boolean {
  let changed = Aliases.promote(ir, isAccessor);
  for (const n of ir.nodes) {
    for (let i = 0; i < n.ops.length; i++) {
      const op = n.ops[i];
      if (op.k !== 'assign' || op.eq || op.fresh || !op.rhs) continue;
      const c = callOf(op.rhs);
      if (!c || !isAccessor(c.fn) || new RegExp(`(^|[^\\w.>])${op.name}(?!\\w)`).test(c.args)) continue;
      n.ops[i] = { ...op, eq: equalityText(op.name, op.rhs) };
      changed = true;
    }
  }
  return changed;
}
