/**
 * Same-file function summaries: a function's net lock effect on exit, relative to its parameters,
 * applied where it is called (Infer's integrate_summary with formals replaced by actuals). The
 * interprocedural engine (call graph over the tree) builds on this shape.
 */
import { type State, retKind } from './domain';
import type { FunctionIR, LockRef, RetClass, Site } from '../ir';
import { normaliseExpr, rootIdentifier } from '../ir';
import { type Solution, runNode } from './solver';
import type {
  Acquisition,
  Deferred,
  ForbiddenInside,
  Observer,
  Requirement,
  Summary,
  TransferContext,
} from './transfer';
import { NAME_PATTERNS, type PathStep } from '../model';
import type { ReleasedFirst } from './entry';
import { onErrorPath } from './errorpath';
import { deferredWhen } from './taskstate';
import { type CalleeStore, type Guard, guardWhen, paramTemplate } from './guard';
import { relativeRef, returnedFacts, returnedObjectEffects } from './returned';
import { EffectsFound } from './effects';
import { paramSplit } from './paramsplit';
import { calleeStoredTexts, storeFacts } from './stores';

export { relativeRef };

export { paramTemplate };

/** States leaving the function, one per path class, at each return, with what that return returns. */
export function exitStates(sol: Solution, ctx: TransferContext): State[] {
  return exits(sol, ctx).map((e) => e.state);
}

function exits(sol: Solution, ctx: TransferContext): { state: State; ret: RetClass | undefined }[] {
  const out: { state: State; ret: RetClass | undefined }[] = [];
  for (const id of sol.order) {
    const node = sol.ir.nodes[id];
    if (node.kind !== 'return') continue;
    for (const s of sol.inStates[id]) {
      const o = runNode(sol.ir, id, s, ctx);
      if (o) out.push({ state: o, ret: node.ret });
    }
  }
  return out;
}

/**
 * Trylock-style: exits that hold the lock return success and those that do not return failure —
 * `1`/`true` vs `0`/`false` (held when nonzero), or `0` vs `-errno` (held when zero).
 */
function returnSplit(
  rets: { state: State; ret: RetClass | undefined }[],
  key: string,
  status: 'held' | 'handed' = 'held',
): 'nonzero' | 'zero' | undefined {
  const held = rets.filter(
    (e) => e.state.locks.get(key)?.status === status && (!e.state.locks.get(key)?.ifFact || passedOn(e, key)),
  );
  const not = rets.filter((e) => !e.state.locks.has(key) || e.state.locks.get(key)?.status === 'released');
  if (!held.length || !not.length || held.length + not.length !== rets.length) return undefined;
  const kh = new Set(held.map((e) => passedOn(e, key) ?? retKind(e.ret, e.state)));
  const kn = new Set(not.map((e) => retKind(e.ret, e.state)));
  if ([...kh].every((k) => k === 'true') && [...kn].every((k) => k === 'false' || k === 'error')) return 'nonzero';
  if ([...kh].every((k) => k === 'false') && [...kn].every((k) => k === 'error')) return 'zero';
  return undefined;
}

/**
 * An exit returning the very result that decides whether it holds `key` (`return foo_trylock(x);`, the lock
 * held where the callee's result is nonzero): it returns nonzero (`true`) exactly when it holds it, or zero.
 */
function passedOn(e: { state: State; ret: RetClass | undefined }, key: string): 'true' | 'false' | undefined {
  const f = e.state.locks.get(key);
  if (f?.status !== 'held' || !f.ifFact || e.ret?.k !== 'expr') return undefined;
  if (normaliseExpr(e.ret.text) !== f.ifFact.text) return undefined;
  // a lock on the object the callee returns (`return pmd_lock_if_huge(..)`) is not a lock on what it was given
  if (key.includes(f.ifFact.text)) return undefined;
  return f.ifFact.value ? 'true' : 'false';
}

/** `inode->i_rwsem` in f(struct inode *inode) becomes `{0}->i_rwsem`; undefined when it names a local. */
export function relativise(key: string, ir: FunctionIR): string | undefined {
  const root = rootIdentifier(key);
  if (!root) return key;
  const i = ir.params.indexOf(root);
  if (i >= 0) return key.replace(new RegExp(`(^|[^A-Za-z0-9_])${root}(?![A-Za-z0-9_])`), `$1{${i}}`);
  if (ir.locals.has(root)) return undefined;
  return key; // a global lock
}

/** Witness paths are cut at this many steps. */
const MAX_WITNESS = 40;

/** A step of a witness path at `site` in the function `ir`. */
function stepAt(ir: FunctionIR, site: Site, note: string): PathStep {
  return { file: ir.file, line: site.line, column: site.column, function: ir.name, note };
}

/** What `inside` collects while it replays a function, keyed so that each lock or call is kept once. */
interface Inside {
  requires: Map<string, Requirement>;
  /** Sleeps, faults and reclaims (effects.ts). */
  effects: EffectsFound;
  acquires: Map<string, Acquisition>;
  forbidden: Map<string, ForbiddenInside>;
  deferred: Map<string, Deferred>;
  /** The places its callees store to (stores.ts): not the parameters' values on entry, for guards. */
  calleeStored: CalleeStore[];
}

/** The checker reports these; a summary only collects. */
const checkerReports = (): void => {
  /* the checker reports */
};

/** The caller's locks `ir` has dropped before an indirect call `d` (in state `s`): its target runs without them. */
function droppedBefore(ir: FunctionIR, s: State, d: Deferred): Set<string> {
  const dropped = new Set<string>();
  for (const [k, f] of s.locks) {
    const t = f.status === 'dropped' ? relativise(k, ir) : undefined;
    if (t !== undefined) dropped.add(t);
  }
  for (const k of d.dropped ?? []) {
    const t = relativise(k, ir);
    if (t !== undefined) dropped.add(t);
  }
  return dropped;
}

/** The callbacks a summary leaves to the checkers. */
const checkersOnly = {
  recursive: checkerReports,
  doubleUnlock: checkerReports,
  releaseUnknown: checkerReports,
  releaseHeld: checkerReports,
};

/** The step where a function takes a lock (or calls what does), marked when only an error path gets there. */
function acquiredStep(ir: FunctionIR, op: { lock: LockRef; via: string; site: Site }, st: State, via?: string) {
  const at = stepAt(ir, op.site, via ? `calls ${via}()` : `takes ${op.lock.display} (${op.via})`);
  return onErrorPath(st.facts) ? { ...at, onError: true } : at;
}

/** The caller's locks released at `st` (and by a callee, `inner`), relative to the parameters. */
function droppedHere(ir: FunctionIR, st: State, inner?: string[]): { dropped?: string[] } {
  const out = new Set<string>();
  for (const [k, f] of st.locks) {
    const t = f.status === 'dropped' ? relativise(k, ir) : undefined;
    if (t !== undefined) out.add(t);
  }
  for (const k of inner ?? []) {
    const t = relativise(k, ir);
    if (t !== undefined) out.add(t);
  }
  return out.size ? { dropped: [...out] } : {};
}

/** A subclass the caller passes (`__foo_lock(eb, nest)`), named relative to the parameters. */
function relativeSubclass(subclass: string | undefined, ir: FunctionIR): string | undefined {
  return subclass === undefined ? undefined : (relativise(subclass, ir) ?? subclass);
}

/**
 * A lock `ir` needs held at `site` (an assert here, or a callee's requirement passed up), under the guard of
 * this path; seen again on another path, only what both guards say is kept.
 */
function recordRequirement(
  ir: FunctionIR,
  { requires, calleeStored }: Pick<Inside, 'requires' | 'calleeStored'>,
  r: {
    lock: LockRef;
    req: string;
    st: State;
    site: Site;
    callee?: string;
    inner?: PathStep[];
    innerWhen?: Guard[];
  },
): void {
  const template = relativise(r.lock.key, ir);
  if (!template) return;
  const when = guardWhen(ir, r.st, r.site, r.innerWhen, requires.get(template), calleeStored);
  if (requires.has(template) || requires.size >= 16) return;
  const step = stepAt(ir, r.site, r.callee ? `calls ${r.callee}()` : `${r.req}: ${r.lock.display} must be held`);
  requires.set(template, {
    template,
    ref: r.lock,
    via: r.req,
    witness: [step, ...(r.inner ?? [])].slice(0, MAX_WITNESS),
    ...(r.callee ? { callee: r.callee } : {}),
    ...when,
  });
}

/** An observer that records into `found` what a summary of `ir` says happens inside it. */
function insideObserver(ir: FunctionIR, found: Inside): Observer {
  const { acquires, forbidden, deferred, calleeStored } = found;
  return {
    ...checkersOnly,
    acquired(op, st, via, inner, innerWhen, innerDropped) {
      // one that fails instead of waiting blocks no caller: it orders nothing and cannot deadlock on a held lock
      if (op.nowait) return;
      const template = op.lock.key.startsWith('class:') ? undefined : relativise(op.lock.key, ir);
      const ref = relativeRef(op.lock, ir);
      if (!ref) return;
      const id = template ?? `class:${op.lock.class ?? op.lock.key}`;
      const when = guardWhen(ir, st, op.site, innerWhen, acquires.get(id), calleeStored);
      if (acquires.has(id) || (template === undefined && !op.lock.class)) return;
      const witness = [acquiredStep(ir, op, st, via), ...(inner ?? [])].slice(0, MAX_WITNESS);
      const more = { subclass: relativeSubclass(op.subclass, ir), ...droppedHere(ir, st, innerDropped) };
      acquires.set(id, { template, ref, mode: op.mode, ...more, witness, ...when });
    },
    ...found.effects.observer(),
    requirement: (lock, req, st, site, callee, inner, innerWhen) =>
      recordRequirement(ir, found, { lock, req, st, site, callee, inner, innerWhen }),
    forbidCall(op, _s, via, inner) {
      const template = op.lock.key.startsWith('class:') ? undefined : relativise(op.lock.key, ir);
      if (!template) return;
      const id = `${op.call}|${template}`;
      if (forbidden.has(id) || forbidden.size >= 16) return;
      const step = stepAt(ir, op.site, via ? `calls ${via}()` : `calls ${op.call}()`);
      forbidden.set(id, {
        call: op.call,
        reason: op.reason,
        template,
        ref: op.lock,
        witness: [step, ...(inner ?? [])].slice(0, MAX_WITNESS),
      });
    },
    deferred(d, s, via, site) {
      const args = d.args.map((a) => (a === undefined ? undefined : paramTemplate(a, ir)));
      const id = `${d.field}(${args.join(',')})`;
      const dropped = droppedBefore(ir, s, d);
      const old = deferred.get(id);
      const when = deferredWhen(s, d, old);
      if (old) {
        // seen on another path: only what both paths dropped
        if (old.dropped) old.dropped = old.dropped.filter((t) => dropped.has(t));
        return;
      }
      if (deferred.size >= 16) return;
      const step = stepAt(ir, site, via ? `calls ${via}()` : `calls ->${d.field}()`);
      deferred.set(id, {
        field: d.field,
        args,
        witness: [step, ...d.witness].slice(0, MAX_WITNESS),
        ...(d.recvType ? { recvType: d.recvType } : {}),
        ...(dropped.size ? { dropped: [...dropped] } : {}),
        ...when,
      });
    },
  };
}

/**
 * Every lock taken from not held somewhere in the function (one witness each; a lock that cannot be
 * named relative to the parameters keeps its class only), and every indirect call inside.
 */
function inside(
  sol: Solution,
  ctx: TransferContext,
): Pick<Summary, 'acquires' | 'deferred' | 'forbidden' | 'requires' | 'sleeps' | 'sleepsIf' | 'faults' | 'reclaims'> {
  const ir = sol.ir;
  const calleeStored = calleeStoredTexts(ir, ctx);
  const found: Inside = {
    requires: new Map(),
    acquires: new Map(),
    forbidden: new Map(),
    deferred: new Map(),
    calleeStored,
    effects: new EffectsFound(ir, calleeStored),
  };
  const { requires, acquires, forbidden, deferred } = found;
  const observer = insideObserver(ir, found);
  const quiet = { ...ctx, tainted: new Set<string>() };
  for (const id of sol.order) {
    found.effects.node = id;
    for (const s of sol.inStates[id]) runNode(ir, id, s, quiet, observer);
  }
  // __must_hold(x) / __releases(x): the caller holds x on entry
  for (const keys of [...ir.annotations.mustHold, ...ir.annotations.releases]) {
    const key = ir.canon ? ir.canon(keys[0]) : keys[0];
    const template = relativise(key, ir);
    if (!template || requires.has(template)) continue;
    const via = ir.annotations.mustHold.includes(keys) ? '__must_hold' : '__releases';
    const display = key.startsWith('*') ? key.slice(1) : `&${key}`;
    requires.set(template, {
      template,
      via,
      ref: { key, display, class: null, kind: 'other', recursive: false },
      witness: [
        {
          file: ir.file,
          line: ir.site.line,
          column: ir.site.column,
          function: ir.name,
          note: `${via}(${display}): the caller must hold it`,
        },
      ],
    });
  }
  return {
    acquires: [...acquires.values()],
    deferred: [...deferred.values()],
    forbidden: [...forbidden.values()],
    requires: [...requires.values()],
    ...found.effects.result(),
  };
}

/**
 * A lock the function releases before it takes it (`releasedFirst`) and holds again on every exit: the caller
 * must hold it, as with __must_hold. One it leaves released is the summary's release (-1) already, which a
 * caller that does not hold it meets as unlock-not-held or double-unlock.
 */
function releasedFirstRequires(ir: FunctionIR, first: ReleasedFirst[], exitList: State[], sum: Summary): void {
  for (const r of first) {
    const template = relativise(r.ref.key, ir);
    if (!template || sum.requires.some((q) => q.template === template)) continue;
    if (!exitList.every((s) => s.locks.get(r.ref.key)?.status === 'caller')) continue;
    const via = `${r.via} before any lock`;
    sum.requires.push({
      template,
      via,
      ref: r.ref,
      witness: [stepAt(ir, r.site, `${via}: the caller must hold ${r.ref.display}`)],
    });
  }
}

/**
 * Locks the function takes and hands to an owner (`xfs_ilock(); xfs_trans_ijoin(tp, ip, XFS_ILOCK_EXCL)`, the
 * transaction it returns through an out-parameter) on its success exits, and does not hold on its error exits
 * (it failed before taking them, or cancelled): the caller holds them through that owner where the result says
 * success, until the owner lets them go (`xfs_trans_commit`).
 */
function handedEffects(ir: FunctionIR, rets: { state: State; ret: RetClass | undefined }[], sum: Summary): void {
  const keys = new Set<string>();
  for (const e of rets)
    for (const [k, f] of e.state.locks) if (f.status === 'handed' && f.handedFrom === 'held') keys.add(k);
  for (const key of keys) {
    const template = relativise(key, ir);
    if (!template || sum.effects.some((e) => e.template === template) || sum.conditional.includes(template)) continue;
    const onReturn = returnSplit(rets, key, 'handed');
    const fact = rets.map((e) => e.state.locks.get(key)).find((f) => f?.status === 'handed');
    const ref = fact && relativeRef(fact.ref, ir);
    if (!onReturn || !fact || !ref || ref.kind === 'range') continue;
    sum.effects.push({ template, ref, delta: 1, mode: fact.mode, onReturn, handed: true });
  }
}

function trustedAcquirer(ir: FunctionIR, key: string): boolean {
  if (NAME_PATTERNS.acquirer.test(ir.name)) return true;
  if (ir.annotations.acquires.some((keys) => keys.includes(key))) return true;
  return thinWrapper(ir, key);
}

/**
 * A wrapper that takes a lock on what it is given and hands that object to nothing else (`foo_down_read(sem)`
 * around `down_read(&sem->rwsem)`): no callee it cannot see may have released the lock, so it returns holding it.
 */
function thinWrapper(ir: FunctionIR, key: string): boolean {
  const root = rootIdentifier(key.replace(/^\*/, ''));
  if (!root || !ir.params.includes(root)) return false;
  const named = new RegExp(`(^|[^A-Za-z0-9_])${root}(?![A-Za-z0-9_])`);
  for (const n of ir.nodes) {
    for (const op of n.ops) {
      if (op.k === 'icall') return false;
      if (op.k === 'call' && op.args.some((a) => named.test(a))) return false;
      if (op.k === 'escape' && (op.roots?.includes(root) || op.keys.some((k) => named.test(k)))) return false;
    }
  }
  return true;
}

/**
 * What the function declares (`__releases(fiq->lock)`) holds even where its body hides it
 * (an indirect *_and_unlock call we could only forget the lock through): added to `sum`.
 */
function declaredEffects(ir: FunctionIR, sum: Summary): void {
  const both = (keys: string[]) =>
    ir.annotations.acquires.some((a) => a[0] === keys[0]) && ir.annotations.releases.some((r) => r[0] === keys[0]);
  for (const [list, delta] of [
    [ir.annotations.acquires, 1],
    [ir.annotations.releases, -1],
  ] as const) {
    for (const keys of list) {
      if (both(keys)) continue; // __releases(x) __acquires(x): drops and retakes, net nothing
      const key = ir.canon ? ir.canon(keys[0]) : keys[0];
      const template = relativise(key, ir);
      // the body's own exits win where they disagree (`return -EAGAIN;` keeping the lock despite __releases)
      if (!template || sum.effects.some((e) => e.template === template) || sum.conditional.includes(template)) continue;
      const display = key.startsWith('*') ? key.slice(1) : `&${key}`;
      sum.effects.push({
        template,
        ref: { key, display, class: null, kind: 'other', recursive: false },
        delta,
        mode: 'excl',
      });
    }
  }
}

/**
 * A lock declared released (`__releases(x)`, which makes it a requirement) that the body releases only under a
 * test of a parameter (`if (msg->op == IMPORT) up_read(..)`): the caller needs to hold it only under that test.
 */
function guardDeclaredReleases(sum: Summary): void {
  for (const r of sum.requires) {
    if (r.via !== '__releases' || r.when) continue;
    const e = sum.effects.find((x) => x.template === r.template && x.delta < 0 && x.when && !x.otherwise);
    if (e?.when) r.when = [{ test: e.when.test, value: e.when.value }];
  }
}

/** Does the function release a lock itself, by a primitive in its body or by a `__releases` annotation? */
export function releasesItself(ir: FunctionIR): boolean {
  if (ir.annotations.releases.length) return true;
  return ir.nodes.some((n) => n.ops.some((op) => op.k === 'release'));
}

/**
 * What stands for a function at a call made before it is summarised (the call that closes a recursive cycle,
 * scheduled before its callee): the releases it declares (`__releases(x)`) or that its own body makes on every
 * path (`body`, its summary with the callees not summarised yet unknown). Only releases of the caller's locks,
 * unconditional: what it takes or calls waits for its summary, so no recursive-lock or missing-lock finding comes
 * of a call closing a cycle (a second unlock after it is still a double unlock). A release under a test of a
 * parameter stays one (each call decides it with its argument, and keeps the lock where the test is false); a lock
 * its body changes on some paths only (`conditional`, or released depending on its result) the caller forgets, as
 * at any call. With its releases come what it records next to them in an out-parameter (`*dropped = 1`, stores
 * `*{i}`) and the locks it needs (`provisional`: they only name the locks its effects are on, not checked).
 * Undefined when it releases nothing and changes nothing on some paths.
 */
export function provisionalSummary(ir: FunctionIR, body?: Summary): Summary | undefined {
  const sum: Summary = {
    name: ir.name,
    acquires: [],
    deferred: [],
    forbidden: [],
    requires: [],
    effects: [],
    conditional: [],
  };
  for (const e of body?.effects ?? []) {
    if (e.delta >= 0) continue;
    // released on every path, or under a test of a parameter each call decides as the summary will (a call
    // that passes `unlock = 0` keeps the lock: not forgotten)
    if (!e.onReturn && (!e.when || (e.otherwise ?? 0) <= 0)) sum.effects.push(e);
    else if (!e.template.includes('{ret}')) sum.conditional.push(e.template);
  }
  for (const t of body?.conditional ?? []) if (!sum.conditional.includes(t)) sum.conditional.push(t);
  const pointees = body?.stores?.filter((g) => /^\*\{\d+\}$/.test(g.test));
  if (pointees?.length && sum.effects.length) sum.stores = pointees;
  if (body?.requires.length && sum.effects.length) sum.requires = body.requires;
  sum.provisional = true;
  if (!body) declaredEffects(ir, sum);
  sum.effects = sum.effects.filter((e) => e.delta < 0);
  return sum.effects.length || sum.conditional.length ? sum : undefined;
}

/** The function's summary; `first` are the locks it releases before it takes them (held on entry). */
/** Entries a summary keeps in each of its lists (locks taken inside, indirect and forbidden calls, requirements). */
export const SUMMARY_BUDGET = 512;

/**
 * Cut a summary's lists to SUMMARY_BUDGET entries (the first ones, in the order found), so that a tree
 * built to blow summaries up costs bounded memory in every caller; says what was cut, or undefined.
 */
export function budgetSummary(sum: Summary, budget = SUMMARY_BUDGET): string | undefined {
  const over: string[] = [];
  const cut = <T>(list: T[], what: string): T[] => {
    if (list.length <= budget) return list;
    over.push(`${list.length} ${what}`);
    return list.slice(0, budget);
  };
  sum.acquires = cut(sum.acquires, 'locks taken inside');
  if (sum.reclaimAcquires) sum.reclaimAcquires = cut(sum.reclaimAcquires, 'locks taken inside under reclaim');
  sum.deferred = cut(sum.deferred, 'indirect calls');
  sum.forbidden = cut(sum.forbidden, 'forbidden calls');
  sum.requires = cut(sum.requires, 'required locks');
  return over.length ? `its summary lists ${over.join(', ')}; callers see the first ${budget} of each` : undefined;
}

export function summarise(sol: Solution, ctx: TransferContext, first: ReleasedFirst[] = []): Summary {
  const ir = sol.ir;
  const rets = exits(sol, ctx);
  const exitList = rets.map((e) => e.state);
  const sum: Summary = { name: ir.name, ...inside(sol, ctx), effects: [], conditional: [] };
  if (!exitList.length) return sum;
  const keys = new Set<string>();
  for (const s of exitList)
    for (const [k, f] of s.locks) if (f.status === 'held' || f.status === 'dropped') keys.add(k);
  for (const key of keys) {
    const deltas = new Set<number>();
    let fact;
    let undecided = false;
    for (const e of rets) {
      const s = e.state;
      const f = s.locks.get(key);
      // held only where a callee's result says so: undecided, unless this exit returns that result
      if (f?.ifFact && !passedOn(e, key)) undecided = true;
      const d = f?.status === 'held' ? 1 : f?.status === 'dropped' ? -1 : 0;
      deltas.add(d);
      if (d) fact = f;
    }
    const template = relativise(key, ir);
    if (!template || !fact) continue;
    if (undecided) {
      sum.conditional.push(template);
      continue;
    }
    if (deltas.size === 1) {
      const d = [...deltas][0];
      // returning with a lock held and saying nothing about it: a lock helper says so by name or
      // annotation; otherwise a callee we cannot see may release it (xfs_trans_ail_update_bulk)
      const ref = relativeRef(fact.ref, ir);
      if (!ref) continue;
      if (d > 0 && !trustedAcquirer(ir, key)) {
        sum.conditional.push(template);
        (sum.keeps ??= []).push({ template, ref, delta: 1, mode: fact.mode });
      } else if (d) sum.effects.push({ template, ref, delta: d as 1 | -1, mode: fact.mode });
    } else {
      // an exit that holds the lock only as its callee's result says is trylock-style, not a parameter's doing
      const passes = rets.some((e) => passedOn(e, key));
      const cond = deltas.size === 2 && !passes ? paramSplit(ir, exitList, key) : undefined;
      const ref = relativeRef(fact.ref, ir);
      // trylock-style only for helpers that say they lock: others that keep a lock on success often
      // hand it over through an out-parameter the caller unlocks under another name (hfs_find_init)
      const onReturn =
        deltas.size === 2 && deltas.has(1) && deltas.has(0) && /lock|acquire|grab/i.test(ir.name)
          ? returnSplit(rets, key)
          : undefined;
      if (cond && ref) {
        sum.effects.push({
          template,
          ref,
          delta: cond.delta,
          mode: cond.fact.mode,
          when: cond.when,
          otherwise: cond.otherwise,
          ...(cond.guard ? { guard: cond.guard } : {}),
        });
      } else if (onReturn && ref && ref.kind !== 'range' && (!passes || /\{\d+\}/.test(template))) {
        // (a result passed on from a callee names its lock through what the caller gave, or it is not the caller's)
        // range bounds are rarely nameable by the caller
        sum.effects.push({ template, ref, delta: 1, mode: fact.mode, onReturn });
      } else {
        sum.conditional.push(template);
      }
    }
  }
  handedEffects(ir, rets, sum);
  declaredEffects(ir, sum);
  guardDeclaredReleases(sum);
  returnedObjectEffects(ir, rets, sum, ctx);
  returnedFacts(ir, rets, sum, ctx, !!sol.saturated);
  releasedFirstRequires(ir, first, exitList, sum);
  const stores = storeFacts(sol, exitList, ctx);
  if (stores.length) sum.stores = stores;
  return sum;
}
