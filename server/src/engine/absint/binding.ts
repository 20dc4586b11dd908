/**
 * Naming a callee's summary at a call: its templates with the call's arguments (`{0}->i_rwsem`), its parameter
 * tests with constant arguments, the locks it needs that the caller holds under another name, and what it leaves
 * in the caller's variables whose addresses it is given.
 */
import { type State, isHeld } from './domain';
import type { LockRef } from '../ir';
import { normaliseExpr } from '../ir';
import type { Macros } from '../syntax';
import { type Summary, type TransferContext, findFact } from './transfer';

/** `{0}->i_rwsem` with the call's arguments; undefined when an argument cannot be named. */
export function substitute(template: string, args: readonly (string | undefined)[]): string | undefined {
  let missing = false;
  const out = template.replace(/\{(\d+)\}/g, (_m, i: string) => {
    const a = args[Number(i)];
    if (a === undefined) {
      missing = true;
      return '?';
    }
    return `(${a})`;
  });
  return missing ? undefined : normaliseExpr(out);
}

export function displayFor(key: string, ref: LockRef): string {
  return ref.display.startsWith('&') ? `&${key}` : key.startsWith('*') ? key.slice(1) : key;
}

export function canon(key: string, ctx: TransferContext): string {
  if (!ctx.canon) return key;
  return key.startsWith('*') ? `*${ctx.canon(key.slice(1))}` : ctx.canon(key);
}

/**
 * A parameter test with the call's arguments: `{0}` alone is the argument's truth; `{1}&NAME` is true
 * when NAME is one of the flags or-ed into the argument (flags are distinct bits). Undefined when the
 * argument is not a constant we can read.
 */
export function evaluateTest(
  test: string,
  args: readonly (string | undefined)[],
  macros?: Macros,
): boolean | undefined {
  const m = /^\{(\d+)\}(?:&([A-Za-z_]\w*))?$/.exec(test);
  if (!m) return undefined;
  const arg = args[Number(m[1])];
  if (arg === undefined) return undefined;
  const a = normaliseExpr(arg);
  if (!m[2]) {
    if (/^(0|false|NULL)$/.test(a)) return false;
    if (/^([1-9]\d*|true)$/.test(a)) return true;
    const v = macros?.value(a);
    return v === undefined ? undefined : v !== 0;
  }
  // with the macros' values (masks, aliases), else by name: flags are distinct bits
  const av = macros?.value(a);
  const fv = macros?.value(m[2]);
  if (av !== undefined && fv !== undefined) return (av & fv) !== 0;
  const flags = a.replace(/[()]/g, '').split('|');
  if (a === '0') return false;
  if (!flags.every((f) => /^[A-Z_][A-Z0-9_]*$/.test(f))) return undefined;
  return flags.includes(m[2]);
}

/**
 * A pointer test (`{0}->d_inode`) the caller's state decides: a lock it holds through that pointer
 * (`dentry->d_inode->i_lock`) means the pointer is not NULL. Undefined otherwise.
 */
export function heldThrough(
  s: State,
  test: string,
  args: readonly (string | undefined)[],
  ctx: TransferContext,
  met?: ReadonlyMap<string, string>,
) {
  if (!/^\{\d+\}(->[A-Za-z_]\w*)+$/.test(test)) return undefined;
  const ptr = substitute(test, args);
  if (ptr === undefined) return undefined;
  const p = canon(ptr, ctx);
  for (const [k, f] of s.locks) if (isHeld(f) && k.startsWith(`${p}->`)) return true;
  // a lock the callee needs through that pointer, which the caller holds under its own name (requiredAs)
  for (const k of met?.keys() ?? []) if (k.startsWith(`${p}->`)) return true;
  return undefined;
}

/**
 * Locks the callee needs held (`dentry->d_inode->i_lock`) that the caller holds under a name it cannot relate
 * (`inode->i_lock`, the dentry being one of the inode's aliases): when it holds exactly one lock of that field
 * (and class), and does not name the required one anywhere itself, it meets the requirement with that one, and
 * the callee's effects on the required lock apply to it. Callee names to the caller's (key and fact).
 */
export function requiredAs(
  s: State,
  sum: Summary,
  args: readonly (string | undefined)[],
  ctx: TransferContext,
): Map<string, string> | undefined {
  let out: Map<string, string> | undefined;
  for (const r of sum.requires) {
    const key = substitute(r.template, args);
    if (key === undefined) continue;
    const k = canon(key, ctx);
    // a lock reached through a pointer field of the argument (`dentry->d_inode->i_lock`), not one it names
    const field = /^[A-Za-z_]\w*(?:->[A-Za-z_]\w*)+->([A-Za-z_]\w*)$/.exec(k)?.[1];
    if (!field || ctx.acquiredKeys.has(k) || findFact(s, { ...r.ref, key: k })) continue;
    const held = [...s.locks].filter(
      ([hk, f]) =>
        isHeld(f) &&
        hk.endsWith(`->${field}`) &&
        f.ref.kind !== 'other' &&
        (!r.ref.class || !f.ref.class || r.ref.class === f.ref.class),
    );
    if (held.length === 1) (out ??= new Map()).set(k, held[0][0]);
  }
  return out;
}

/** `foo(&dropped)` with a callee that sets `*dropped` on every exit: the caller's variable holds that value. */
export function outFacts(s: State, sum: Summary, args: readonly string[]): State {
  let facts = s.facts;
  for (const w of sum.writes ?? []) {
    const m = /^&([A-Za-z_]\w*)$/.exec(args[w.param] ?? '');
    if (m) facts = facts.assign(m[1], w.value);
  }
  return facts === s.facts ? s : { ...s, facts };
}
