/**
 * Kernel idioms the expression builder (expr.ts) and the conditions (cond.ts) read by their syntax: waits that
 * return only once their condition holds, reference drops that say whether they were the last, and compound
 * stores that change only some flags of a variable.
 */
import type { Node } from 'web-tree-sitter';
import { calleeName } from '../syntax';

/**
 * Waits that return only when their condition holds (include/linux/wait.h, wait_bit.h): not the interruptible,
 * killable or timed ones, which may return without it.
 */
export const WAITS_UNTIL = new Set(['wait_event', 'wait_event_idle', 'wait_event_freezable', 'wait_var_event']);

/**
 * Reference drops that say whether the count reached zero (include/linux/refcount.h, atomic.h, kref.h): true
 * when the last reference went.
 */
const DROPS_LAST = /(^|_)dec_and_(test|lock|lock_irqsave|mutex_lock|raw_lock)$|^kref_put(_lock|_mutex)?$/;

/** Is `v` a call that drops a reference and is true when it was the last (`refcount_dec_and_test(&x->ref)`)? */
export function dropsLast(v: Node): boolean {
  return v.type === 'call_expression' && DROPS_LAST.test(calleeName(v) ?? '');
}

/**
 * `x &= ~(A | B)` clears only the flags A and B, `x |= A | B` sets only them: the other bits of x keep their value
 * (a test of one of them before the store still reads it, absint/guard.ts). Flags are named constants.
 */
export function flagBits(op: string | undefined, rhs: string): { bits?: string[] } {
  const m =
    op === '&='
      ? /^~\(?([A-Z_][A-Z0-9_|]*)\)?$/.exec(rhs)
      : op === '|='
        ? /^\(?([A-Z_][A-Z0-9_|]*)\)?$/.exec(rhs)
        : null;
  return m ? { bits: m[1].split('|').filter(Boolean) } : {};
}
