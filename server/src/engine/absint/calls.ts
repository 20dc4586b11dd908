/**
 * Applying callee summaries at call sites (Infer's integrate_summary): formals replaced by actuals,
 * flag-selecting wrappers evaluated with constant arguments, locks the callee takes inside checked
 * against what the caller holds (recursive locking through any depth of calls), and calls through
 * function-pointer fields resolved in the context of the function being checked.
 */
import { type Mode, scopeKind } from '../model';
import { type LockFact, type State, aliasKeys, isHeld } from './domain';
import type { LockRef, Op, Site } from '../ir';
import type { Summary } from './transfer';
import { normaliseExpr, rootIdentifier } from '../ir';
import { flagLocks, symbolicLock } from '../ir';
import { bindFs } from '../syntax';
import {
  type Acquisition,
  type Deferred,
  type ForbiddenInside,
  type Observer,
  type TransferContext,
  acquire,
  escape,
  fault,
  findFact,
  loopVariant,
  nestable,
  reclaim,
  release,
  sleep,
} from './transfer';
import type { PathStep } from '../model';
import type { Facts } from './domain';
import { factsAtCall, unionFacts } from './taskstate';
import { type Guard, evalGuard, evalGuards, evaluateTest, substitute, whenOf } from './guard';
import { contractReleases } from './contract';
import { checkRequired } from './required';
import { canon, displayFor, heldThrough, requiredAs } from './binding';
import { sleepsAtCall } from './effects';
import { assumeReturned } from './returned';
import { applyStores } from './stores';

/** How deep indirect calls found inside indirect targets are followed. */
const MAX_INDIRECT_DEPTH = 3;

interface Instance {
  ref: LockRef;
  mode: Mode;
  classOnly: boolean;
}

/** A summary's lock at a call site; a lock that cannot be named here keeps only its class. */
function instantiate(
  template: string | undefined,
  ref: LockRef,
  mode: Mode,
  args: readonly (string | undefined)[],
  ctx: TransferContext,
): Instance[] {
  if (ref.symbolic) {
    const prim = ctx.catalog.primitive(ref.symbolic.prim);
    const obj = substitute(ref.symbolic.obj, args);
    const flags = substitute(ref.symbolic.flags, args);
    if (!prim || obj === undefined || flags === undefined) return [];
    const known = flagLocks(prim, obj, flags);
    if (known) return known.map((k) => ({ ...k, ref: { ...k.ref, key: canon(k.ref.key, ctx) }, classOnly: false }));
    const sym = symbolicLock(prim, obj, flags);
    ctx.tainted.add(sym.key);
    return [{ ref: sym, mode, classOnly: false }];
  }
  const key = template === undefined ? undefined : substitute(template, args);
  // a callee's lock whose class is per filesystem type is this function's filesystem's, if it has one
  if (ref.order && ctx.fs) ref = { ...ref, order: bindFs(ref.order, ctx.fs) };
  if (key === undefined) {
    return ref.class ? [{ ref: { ...ref, key: `class:${ref.class}` }, mode, classOnly: true }] : [];
  }
  const k = canon(key, ctx);
  // a range lock's tree, renamed like the key (`{0}->io_tree[..]` -> `BTRFS_I(inode)->io_tree`)
  const base = ref.base !== undefined && k.includes('[') ? k.slice(0, k.indexOf('[')) : undefined;
  return [
    {
      ref: { ...ref, key: k, display: displayFor(k, ref), ...(base !== undefined ? { base } : {}) },
      mode,
      classOnly: false,
    },
  ];
}

/** A range whose bounds name variables that are not this function's (a callee's locals, in its template). */
function foreignRange(ref: LockRef, ctx: TransferContext): boolean {
  const bounds = /\[(.*)\]$/.exec(ref.key)?.[1];
  if (!bounds || !ctx.params) return false;
  for (const id of bounds.match(/\b[A-Za-z_]\w*\b/g) ?? []) {
    if (/^[A-Z_][A-Z0-9_]*$/.test(id) || /^\d/.test(id)) continue;
    if (!ctx.locals.has(id) && !ctx.params.includes(id) && !ctx.assigned.has(id)) return true;
  }
  return false;
}

/**
 * Check locks a callee takes inside against the caller's locks. A held instance taken again ends the
 * path (the task blocks on itself); a class match only is reported and the path goes on.
 */
function checkInside(
  s: State,
  taken: {
    inst: Instance;
    subclass?: string;
    dropped?: string[];
    witness: PathStep[];
    when?: Guard[];
  }[],
  via: string,
  site: Site,
  ctx: TransferContext,
  obs: Observer | undefined,
  record: boolean,
): State | undefined {
  for (const { inst, subclass, dropped, witness, when } of taken) {
    const inner: Op & { k: 'acquire' } = {
      k: 'acquire',
      lock: inst.ref,
      mode: inst.mode,
      via: `${via}()`,
      site,
      siteId: -1,
      subclass,
    };
    if (obs?.order) {
      // (not from a lock the callee releases first: it takes this one without it)
      const released = callerKeys(s, dropped);
      for (const [k, f] of s.locks)
        if (isHeld(f) && f.ref.key !== inst.ref.key && !released.has(k))
          obs.order(f, inst.ref, s, site, via, witness, subclass);
    }
    if (inst.classOnly) {
      // the instance was lost on the way (a local the caller cannot name): two objects of one class
      // are not a deadlock by themselves, so this is kept for summaries only, not reported
      if (record) obs?.acquired?.(inner, s, via, witness, when, dropped);
      continue;
    }
    const hit = findFact(s, inst.ref);
    // a range named over what the loop changes (`lock(tree, pos, ..)` with `pos += len`), or over a callee's
    // own variables (its bounds computed inside: each call its own), is another range
    const otherRange =
      inst.ref.kind === 'range' && (loopVariant(inst.ref, ctx.assigned) || foreignRange(inst.ref, ctx));
    if (hit && isHeld(hit[1]) && !otherRange) {
      if (!nestable(inner, hit[1]) && (hit[1].subclass ?? '') === (subclass ?? '')) {
        obs?.recursive(inner, hit[1], s, via, witness);
        return undefined;
      }
    } else if (record && (!hit || hit[1].status === 'released')) {
      obs?.acquired?.(inner, s, via, witness, when, dropped);
    }
  }
  return s;
}

/**
 * A summary's acquisitions at a call, each with its instance; those whose guard is false here (the callee takes
 * the lock only when its argument is not NULL, and it is NULL; only when the task is not marked, and it is)
 * are left out, and the others carry what of their guard is still open (guard.ts).
 */
function acquisitions(
  list: Acquisition[],
  args: readonly (string | undefined)[],
  ctx: TransferContext,
  prefix: PathStep[],
  facts?: Facts,
) {
  return list.flatMap((a) => {
    const open = !a.when ? [] : facts ? evalGuards(a.when, args, facts, ctx.macros) : a.when;
    if (!open) return [];
    return instantiate(a.template, a.ref, a.mode, args, ctx).map((inst) => ({
      inst,
      subclass: a.subclass === undefined ? undefined : (substitute(a.subclass, args) ?? a.subclass),
      ...(a.dropped ? { dropped: instantiateKeys(a.dropped, args, ctx) } : {}),
      witness: [...prefix, ...a.witness],
      ...whenOf(open),
    }));
  });
}

/** How many calls below the function being checked a deferred indirect call is made (its witness's calls). */
export function deferredHops(d: Pick<Deferred, 'witness'>): number {
  return d.witness.filter((w) => w.note.startsWith('calls ')).length;
}

/** Resolve an indirect call (found here, or deferred by a callee) in the current context and check its targets. */
function resolveIndirect(
  s: State,
  d: Deferred,
  via: string,
  site: Site,
  ctx: TransferContext,
  obs: Observer | undefined,
  depth: number,
): State | undefined {
  // the callee that makes this call dropped these of the caller's locks first: they are not held there
  const view = d.dropped?.length ? without(s, d.dropped) : s;
  const checked = resolveTargets(view, d, via, site, ctx, obs, depth);
  return checked ? s : undefined;
}

/** `s` without the locks named `keys`. */
function without(s: State, keys: readonly string[]): State {
  const locks = new Map(s.locks);
  for (const k of callerKeys(s, keys)) locks.delete(k);
  return { ...s, locks };
}

/**
 * The caller's keys for locks a callee names `keys` (what it released first): the same key, or the caller's
 * alias of it (`iinfo->i_data_sem` after `iinfo = UDF_I(inode)` for the callee's `UDF_I(inode)->i_data_sem`).
 */
function callerKeys(s: State, keys: readonly string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const k of keys ?? []) {
    if (s.locks.has(k)) out.add(k);
    for (const a of aliasKeys(k, s.facts)) if (s.locks.has(a)) out.add(a);
  }
  return out;
}

function resolveTargets(
  s: State,
  d: Deferred,
  via: string,
  site: Site,
  ctx: TransferContext,
  obs: Observer | undefined,
  depth: number,
): State | undefined {
  let cur: State | undefined = s;
  const last = d.witness[d.witness.length - 1];
  const hops = deferredHops(d);
  for (const t of ctx.indirect?.(d.field, hops, d.recvType) ?? []) {
    const note = `->${d.field} resolves to ${t.summary.name} (${t.via})`;
    const by = t.by ? { resolvedBy: t.by } : {};
    const step: PathStep = last
      ? { ...last, note, ...by }
      : { file: '', line: site.line, column: site.column, function: '', note, ...by };
    const prefix = [...d.witness, step];
    checkForbidden(cur, t.summary.forbidden, d.args, via, site, ctx, obs, prefix, false);
    const facts = factsAtCall(cur, d.when);
    cur = checkInside(cur, acquisitions(t.summary.acquires, d.args, ctx, prefix, facts), via, site, ctx, obs, false);
    if (!cur) return undefined;
    if (depth < MAX_INDIRECT_DEPTH) {
      for (const inner of t.summary.deferred) {
        const args = inner.args.map((a) => (a === undefined ? undefined : substitute(a, d.args)));
        const dropped = instantiateKeys(inner.dropped, d.args, ctx);
        cur = resolveIndirect(
          cur,
          {
            field: inner.field,
            args,
            witness: [...prefix, ...inner.witness],
            recvType: inner.recvType,
            ...(dropped.length ? { dropped } : {}),
            ...whenOf(unionFacts(inner.when ?? [], d.when ?? [])),
          },
          via,
          site,
          ctx,
          obs,
          depth + 1,
        );
        if (!cur) return undefined;
      }
    }
  }
  return cur;
}

/** A summary's lock templates named with the call's arguments (those that can be). */
function instantiateKeys(
  templates: readonly string[] | undefined,
  args: readonly (string | undefined)[],
  ctx: TransferContext,
): string[] {
  const out: string[] = [];
  for (const t of templates ?? []) {
    const k = substitute(t, args);
    if (k !== undefined) out.push(canon(k, ctx));
  }
  return out;
}

/** Forbidden calls a callee makes inside: reported if the caller holds their lock, else passed up. */
function checkForbidden(
  s: State,
  list: ForbiddenInside[],
  args: readonly (string | undefined)[],
  via: string,
  site: Site,
  ctx: TransferContext,
  obs: Observer | undefined,
  prefix: PathStep[],
  record: boolean,
): void {
  for (const f of list) {
    const key = substitute(f.template, args);
    if (key === undefined) continue;
    const k = canon(key, ctx);
    const op: Op & { k: 'forbid' } = {
      k: 'forbid',
      call: f.call,
      reason: f.reason,
      site,
      lock: { ...f.ref, key: k, display: displayFor(k, f.ref) },
    };
    const hit = findFact(s, op.lock);
    if (hit && isHeld(hit[1])) obs?.forbidden?.(op, hit[1], s, via, [...prefix, ...f.witness]);
    // on a path that dropped the caller's lock first, the caller does not hold it there: nothing to pass up
    else if (record && (!hit || hit[1].status === 'released')) obs?.forbidCall?.(op, s, via, [...prefix, ...f.witness]);
  }
}

export function callSummary(s: State, op: Op & { k: 'call' }, ctx: TransferContext, obs?: Observer): State | undefined {
  // a callee given a callback it calls is specialised for it (its calls through the parameter are calls to it)
  const sum = ctx.specialize?.(op.callee, op.args) ?? ctx.summaryOf(op.callee);
  if (!sum) return escape(s, op.escapeKeys, op.escapeRoots, ctx);
  const args = op.args.map((a) => normaliseExpr(a));
  checkForbidden(s, sum.forbidden, args, op.callee, op.site, ctx, obs, [], true);
  const met = sum.requires.length ? requiredAs(s, sum, args, ctx) : undefined;
  if (!sum.provisional) checkRequired(s, sum, args, op.callee, op.site, ctx, obs, met);
  if (sum.sleeps) sleep(s, `${op.callee}()`, op.site, obs, op.callee, sum.sleeps);
  sleepsAtCall(s, sum, args, op, ctx, obs);
  if (sum.faults && !op.kernelIter) fault(s, `${op.callee}()`, op.site, ctx, obs, op.callee, sum.faults);
  if (sum.reclaims) reclaim(s, `${op.callee}()`, op.site, ctx, obs, op.callee, sum.reclaims);
  // locks the callee takes inside: a caller already holding one deadlocks
  let cur = checkInside(s, acquisitions(sum.acquires, args, ctx, [], s.facts), op.callee, op.site, ctx, obs, true);
  if (!cur) return undefined;
  // its indirect calls: resolved here, in the context of the function being checked, and passed up
  cur = passDeferred(cur, sum, args, op, ctx, obs);
  if (!cur) return undefined;
  cur = applyEffects(cur, sum, args, op, ctx, obs, met);
  if (!cur) return undefined;
  for (const t of sum.conditional) {
    const key = substitute(t, args);
    if (key === undefined) continue;
    const k = met?.get(canon(key, ctx)) ?? canon(key, ctx);
    // a task-state scope the callee may have entered (a transaction start that enters memalloc_nofs_save() when
    // it succeeds): in it, as far as anything is reported (what would be reported outside it is not)
    const kind = scopeKind(k);
    if (kind) {
      if (!isHeld(cur.locks.get(k))) cur = enterScope(cur, k, kind, op);
      continue;
    }
    ctx.tainted.add(k);
    if (cur.locks.has(k)) cur = escape(cur, [k], undefined, ctx);
  }
  // what it stored in the caller's objects, and what its value is known to be (facts about the call's text)
  cur = applyStores(cur, op, ctx);
  const facts = assumeReturned(cur.facts, sum.retFacts, op.text);
  return facts === cur.facts ? cur : { ...cur, facts };
}

/** The callee's indirect calls, resolved in the context of the function being checked and passed up. */
function passDeferred(
  s: State,
  sum: Summary,
  args: string[],
  op: Op & { k: 'call' },
  ctx: TransferContext,
  obs?: Observer,
): State | undefined {
  let cur: State | undefined = s;
  for (const d of sum.deferred) {
    const dargs = d.args.map((a) => {
      const x = a === undefined ? undefined : substitute(a, args);
      return x === undefined ? x : canon(x, ctx);
    });
    const dropped = instantiateKeys(d.dropped, args, ctx);
    const deferred: Deferred = {
      field: d.field,
      args: dargs,
      witness: d.witness,
      ...(d.recvType ? { recvType: d.recvType } : {}),
      ...(dropped.length ? { dropped } : {}),
      ...whenOf(d.when ?? []),
    };
    cur = resolveIndirect(cur, deferred, op.callee, op.site, ctx, obs, 1);
    if (!cur) return undefined;
    obs?.deferred?.(deferred, cur, op.callee, op.site);
  }
  return cur;
}

/** The callee's effects on locks it leaves taken or released, with a flag argument evaluated where it decides. */
function applyEffects(
  s: State,
  sum: Summary,
  args: string[],
  op: Op & { k: 'call' },
  ctx: TransferContext,
  obs?: Observer,
  met?: ReadonlyMap<string, string>,
): State | undefined {
  let cur = s;
  for (const e0 of sum.effects) {
    // guarded (the page it releases is not NULL): a guard this call decides false, no effect at all
    if (e0.guard && !evalGuards(e0.guard, args, cur.facts, ctx.macros)) continue;
    // a parameter test decides the effect: evaluate it with the argument, if it is a constant
    let e = e0;
    if (e0.when) {
      const v =
        evaluateTest(e0.when.test, args, ctx.macros) ??
        heldThrough(cur, e0.when.test, args, ctx, met) ??
        decided(evalGuard({ test: e0.when.test, value: true }, args, cur.facts, ctx.macros));
      if (v === undefined) {
        const key = substitute(e0.template, args);
        if (key !== undefined) {
          const k = met?.get(canon(key, ctx)) ?? canon(key, ctx);
          ctx.tainted.add(k);
          cur = escape(cur, [k], undefined, ctx);
        }
        continue;
      }
      const delta = v === e0.when.value ? e0.delta : (e0.otherwise ?? 0);
      if (delta === 0) continue;
      e = { ...e0, delta };
    }
    if (e.template.includes(RET)) {
      const next = returnedObjectLock(cur, e, op, ctx);
      if (!next) return undefined;
      cur = next;
      continue;
    }
    for (const inst of instantiate(e.template, e.ref, e.mode, args, ctx)) {
      const { mode, classOnly } = inst;
      if (classOnly) continue;
      const as = met?.get(inst.ref.key);
      const ref = as === undefined ? inst.ref : { ...inst.ref, key: as, display: displayFor(as, inst.ref) };
      if (e.delta > 0 && e.onReturn) {
        const next = heldIfResult(cur, ref, mode, e, op, ctx);
        if (!next) return undefined;
        cur = next;
      } else if (e.delta > 0) {
        const next = acquire(
          cur,
          { k: 'acquire', lock: ref, mode, via: `${op.callee}()`, site: op.site, siteId: -1 },
          ctx,
          obs,
          op.callee,
        );
        if (!next) return undefined;
        cur = next;
      } else {
        cur = release(cur, { k: 'release', lock: ref, via: `${op.callee}()`, site: op.site }, ctx, obs, op.callee);
      }
    }
  }
  return cur;
}

/**
 * A trylock-style callee's lock: held only where its result says so (resolved by the branch on it); `handed`: held
 * through the owner the callee handed it to.
 */
function heldIfResult(
  s: State,
  ref: LockRef,
  mode: Mode,
  e: Summary['effects'][number],
  op: Op & { k: 'call' },
  ctx: TransferContext,
): State | undefined {
  if (!op.text || findFact(s, ref)) {
    ctx.tainted.add(ref.key);
    return s;
  }
  const next = acquire(
    s,
    { k: 'acquire', lock: ref, mode, via: `${op.callee}()`, site: op.site, siteId: -1 },
    ctx,
    undefined,
    op.callee,
  );
  if (!next) return undefined;
  const f = next.locks.get(ref.key);
  return f
    ? {
        ...next,
        locks: new Map(next.locks).set(ref.key, {
          ...f,
          ...(e.handed ? { status: 'handed' as const, handedFrom: 'held' as const } : {}),
          ifFact: { text: op.text, value: e.onReturn === 'nonzero' },
        }),
      }
    : next;
}

/** `s` inside the task-state scope `key`, entered (maybe) by the call `op`. */
function enterScope(s: State, key: string, kind: 'nofault' | 'nofs', op: Op & { k: 'call' }): State {
  const ref: LockRef = { key, display: key, class: null, kind, recursive: true };
  const fact: LockFact = { ref, status: 'held', mode: 'excl', via: `${op.callee}()`, site: op.site, siteId: -1 };
  return { ...s, locks: new Map(s.locks).set(key, fact) };
}

/** A guard test's value when decided. */
const decided = (r: boolean | Guard | undefined): boolean | undefined => (typeof r === 'boolean' ? r : undefined);

/** A summary's name for the object the function returns. */
const RET = '{ret}';

/**
 * A callee that returns an object it locked (`f = foo_alloc_locked(..)`): the lock is named through the call
 * (`foo_alloc_locked(b)->lock`) and held where the result is not NULL (not an ERR_PTR); the assignment of the
 * result renames it to the caller's variable (apply.ts), and the caller's test of that variable decides it.
 */
function returnedObjectLock(
  s: State,
  e: Summary['effects'][number],
  op: Op & { k: 'call' },
  ctx: TransferContext,
): State | undefined {
  if (!op.text || e.delta < 0) return s;
  const key = normaliseExpr(e.template.split(RET).join(`(${op.text})`));
  if (findFact(s, { ...e.ref, key })) return s;
  const onResult =
    e.onReturn === 'noterr' ? { text: `IS_ERR(${op.text})`, value: false } : { text: op.text, value: true };
  const lock: LockRef = { ...e.ref, key, display: displayFor(key, e.ref) };
  return acquire(
    s,
    { k: 'acquire', lock, mode: e.mode, via: `${op.callee}()`, site: op.site, siteId: -1, onResult },
    ctx,
    undefined,
    op.callee,
  );
}

export function indirectCall(
  s: State,
  op: Op & { k: 'icall' },
  ctx: TransferContext,
  obs?: Observer,
): State | undefined {
  const args = op.args.map((a) => normaliseExpr(a));
  const d: Deferred = { field: op.field, args, witness: [], ...(op.recvType ? { recvType: op.recvType } : {}) };
  obs?.deferred?.(d, s, undefined, op.site);
  const resolved = resolveIndirect(s, d, `->${op.field}`, op.site, ctx, obs, 1);
  if (!resolved) return undefined;
  // what the VFS contract says the op releases; its resolved targets' summaries say the same (contract.ts)
  const cur = contractReleases(resolved, op.field, op.recvType, args, op.site, ctx, obs);
  return escape(cur, heldKeys(cur, op.escapeKeys, op.escapeRoots), undefined, ctx);
}

/**
 * The locks an ops method we cannot see may drop and retake: those held here, named by `keys` or through
 * `roots`. One this path already released stays released (a method does not return holding its caller's lock).
 */
function heldKeys(s: State, keys: string[] | undefined, roots: string[] | undefined): string[] {
  const out: string[] = [];
  for (const [k, f] of s.locks) {
    if (!isHeld(f)) continue;
    const root = rootIdentifier(k);
    if (keys?.includes(k) || (root && roots?.includes(root))) out.push(k);
  }
  return out;
}
