/**
 * What a call does to the task besides its lock effects, as IR operations: it may sleep, fault on user memory,
 * enter filesystem reclaim, or be forbidden under a lock (the catalog and model/effects.ts say which); and the
 * page-fault scope an iterator's `nofault` flag opens and closes. Plain functions of the syntax the expression
 * builder (expr.ts) hands them.
 */
import type { Node } from 'web-tree-sitter';
import {
  type Catalog,
  KERNEL_ITER_INITS,
  NOFAULT_FIELD,
  NOFAULT_SCOPE,
  forbiddenLockKind,
  gfpBlocks,
  reclaimGfp,
} from '../model';
import { type LockRef, type Op, displayOfKey, normaliseExpr } from '../ir';
import { callArgs, calleeName } from '../syntax';
import { constantValue, siteOf, unparen } from './base';

/**
 * The operations of a call to `name` besides its lock effects, in order: sleep (under its allocation flags when
 * they are a variable's: model/gfp.ts), fault (not through an iterator
 * over kernel memory: `kernelIter`), reclaim (flags that allow __GFP_FS), forbid.
 */
export function callEffects(catalog: Catalog, n: Node, name: string, args: Node[], kernelIter: () => boolean): Op[] {
  const out: Op[] = [];
  const site = siteOf(n);
  const sleeper = catalog.sleeper(name);
  if (sleeper) {
    const gfp = sleeper.gfp === undefined ? undefined : args[sleeper.gfp]?.text;
    const blocks = gfp === undefined ? sleeper.gfp === undefined : gfpBlocks(gfp);
    if (blocks) out.push({ k: 'sleep', via: name, site });
    // flags from a variable: decided where they come from (a parameter: at the calls)
    else if (blocks === undefined && gfp !== undefined)
      out.push({ k: 'sleep', via: name, site, gfp: normaliseExpr(gfp) });
  }
  if (catalog.faults(name) && !kernelIter()) out.push({ k: 'fault', via: name, site });
  const alloc = catalog.allocator(name);
  if (alloc) {
    const gfp = alloc.gfp === undefined ? undefined : args[alloc.gfp]?.text;
    if (alloc.gfp === undefined || (gfp !== undefined && reclaimGfp(gfp))) out.push({ k: 'reclaim', via: name, site });
  }
  const rule = catalog.forbiddenCall(name);
  if (rule) {
    const key = normaliseExpr(rule.lock.replace(/\{(\d+)\}/g, (_m, i: string) => `(${args[Number(i)]?.text ?? '?'})`));
    const kind = forbiddenLockKind(rule);
    const lock = { key, display: displayOfKey(key), class: rule.class ?? null, kind, recursive: false };
    out.push({ k: 'forbid', call: name, reason: rule.reason, site, lock });
  }
  return out;
}

/** An iterator argument's name: `&iter` and `iter` are one iterator. */
const iterName = (text: string): string => normaliseExpr(text.replace(/^\s*&\s*/, ''));

/** The iterators a function makes over kernel memory (`iov_iter_bvec(&iter, ...)` anywhere in it). */
export function kernelIterators(def: Node): ReadonlySet<string> {
  const out = new Set<string>();
  for (const c of def.descendantsOfType('call_expression')) {
    const name = c ? calleeName(c) : undefined;
    const first = c && name && KERNEL_ITER_INITS.has(name) ? callArgs(c)[0] : undefined;
    if (first) out.add(iterName(first.text));
  }
  return out;
}

/** Is one of `args` one of those iterators? Copies and pinning through it do not fault on user memory. */
export function givenKernelIter(iters: ReadonlySet<string>, args: Node[]): boolean {
  return iters.size > 0 && args.some((a) => iters.has(iterName(a.text)));
}

/**
 * `from->nofault = true` ... `from->nofault = false`: the iterator's page pinning and copies do not fault in
 * between; read as the page-fault scope `pagefault_disable()` opens (model/effects.ts).
 */
export function nofaultScope(left: Node, right: Node, n: Node): Op | undefined {
  if (left.childForFieldName('field')?.text !== NOFAULT_FIELD) return undefined;
  const v = constantValue(unparen(right));
  if (v === undefined) return undefined;
  const lock: LockRef = { key: NOFAULT_SCOPE, display: NOFAULT_SCOPE, class: null, kind: 'nofault', recursive: true };
  return v
    ? { k: 'acquire', lock, mode: 'excl', via: `${left.text} = true`, site: siteOf(n), siteId: n.startIndex }
    : { k: 'release', lock, via: `${left.text} = false`, site: siteOf(n) };
}
