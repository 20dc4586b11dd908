/**
 * Which parts of a function's summary can be written down as a kernel lock contract, and how: a lock needed
 * held on entry and still held on exit is `__must_hold(x)` (and a lockdep assertion first in the body), one
 * taken and held on every exit is `__acquires(x)`, one held on entry and released on every exit `__releases(x)`
 * (sparse's context(x,1,1), (x,0,1) and (x,1,0)). Only what holds on every path, for a lock the caller can name
 * through the parameters or a global, is written; everything else is left out with the reason why.
 */
import type { Summary } from '../absint';
import { displayOfKey, keysOfAnnotation, normaliseExpr } from '../ir';
import type { LockKind } from '../model';
import { readAnnotations } from '../syntax';

/** One lock's contract, ready to write (`lock` is the C expression of its address: `&f->lock`). */
export interface ContractLock {
  lock: string;
  annotation?: '__must_hold' | '__acquires' | '__releases';
  /** The assertion for a lock needed on entry (`lockdep_assert_held_write`), where lockdep has one for it. */
  assertion?: string;
}

export interface InferredContract {
  locks: ContractLock[];
  /** Locks left out, each with why (`&ei->lock: released on some exits only`). */
  skipped: string[];
}

/** Kinds that are contexts or bits, not lock objects an annotation can name. */
const UNNAMEABLE: Partial<Record<LockKind, string>> = {
  rcu: 'a context (RCU), not a lock object',
  srcu: 'a context (SRCU), not a lock object',
  preempt: 'a context (preemption), not a lock object',
  irq: 'a context (interrupts), not a lock object',
  nofault: 'a task-state scope, not a lock',
  nofs: 'a task-state scope, not a lock',
  page: 'a bit lock (PG_locked), which annotations cannot name',
  folio: 'a bit lock (PG_locked), which annotations cannot name',
  buffer: 'a bit lock (BH_Lock), which annotations cannot name',
  range: 'a range lock (its bounds are values, not an object)',
};

/**
 * The lockdep assertion for a lock needed on entry: the one the requirement came from where it is lockdep's (a
 * callee's `lockdep_assert_held_write()` says the lock has a lockdep map, and in which mode it is needed), else
 * the one for its kind (from `kindOf`: how the lock is taken elsewhere), in the mode it is needed.
 */
function assertionFor(via: string, kind: LockKind): string | undefined {
  const lockdep = /^lockdep_assert_held(_read|_write)?(?:_once)?$/.exec(via);
  if (lockdep) return `lockdep_assert_held${lockdep[1] ?? ''}`;
  if (via === 'assert_spin_locked') return 'lockdep_assert_held';
  if (kind === 'percpu-rwsem') return 'percpu_rwsem_assert_held';
  if (kind === 'mutex' || kind === 'spinlock' || kind === 'rwsem' || kind === 'rwlock') return 'lockdep_assert_held';
  return undefined;
}

/** The kind of each lock class taken in `summaries` (the primitive that takes it), where all agree on one. */
export function lockKinds(summaries: Iterable<Summary | null | undefined>): Map<string, LockKind> {
  const out = new Map<string, LockKind>();
  const mixed = new Set<string>();
  for (const s of summaries) {
    for (const a of s?.acquires ?? []) {
      const c = a.ref.class;
      if (!c || a.ref.kind === 'other' || mixed.has(c)) continue;
      const k = out.get(c);
      if (k && k !== a.ref.kind) {
        out.delete(c);
        mixed.add(c);
      } else out.set(c, a.ref.kind);
    }
  }
  return out;
}

/** One lvalue the caller can spell: a name, an accessor call on one (`FOO_I(inode)`), then fields. */
const LVALUE =
  /^\*?[A-Za-z_]\w*(?:\((?:[^()]|\([^()]*\))*\))?(?:(?:->|\.)[A-Za-z_]\w*|\[\d+\])*$|^\*?\([A-Za-z_][\w>.-]*\)$/;

/** The identifiers an lvalue is rooted at: its first name, or every name in the arguments of its accessor. */
function roots(key: string): string[] {
  const head = /^\*?[A-Za-z_]\w*\(/.exec(key);
  if (!head) {
    const m = /^[*(]*([A-Za-z_]\w*)/.exec(key);
    return m ? [m[1]] : [];
  }
  let depth = 0;
  let end = head[0].length - 1;
  for (; end < key.length; end++) {
    depth += key[end] === '(' ? 1 : key[end] === ')' ? -1 : 0;
    if (depth === 0) break;
  }
  const args = key.slice(head[0].length, end);
  return [...args.matchAll(/(?<![\w>.])([A-Za-z_]\w*)(?!\w|\s*\()/g)].map((m) => m[1]);
}

/** Does the body declare `name` (a local, or a static in it)? */
function declaredIn(body: string, name: string): boolean {
  const decl = new RegExp(
    `(?:^|[;{,(])\\s*(?!(?:return|goto|case|else|sizeof)\\b)[A-Za-z_][\\w\\s]*?[\\s*]+${name}\\s*[=;,[)]`,
    'm',
  );
  return decl.test(body);
}

/** Is the parameter `name` assigned in the body (so a lock named through it is not the caller's by the end)? */
function assignedIn(body: string, name: string): boolean {
  return new RegExp(`(?<![\\w.>])${name}\\s*(?:[-+*/|&^]?=(?!=)|\\+\\+|--)|(?:\\+\\+|--)\\s*${name}\\b`).test(body);
}

/**
 * The template's key in the function's own names (`{0}->lock` → `f->lock`), or why it cannot be written:
 * a lock on the returned object, a local, a parameter the body reassigns.
 */
export function keyIn(template: string, params: string[], body: string): { key: string } | { reason: string } {
  if (template.includes('{ret}')) return { reason: 'a lock on the object it returns, not on a parameter' };
  if (template.startsWith('class:')) return { reason: 'a lock named only by its class' };
  let missing = false;
  const raw = template.replace(/\{(\d+)\}/g, (_m, i: string) => {
    const p = params[Number(i)];
    if (!p) missing = true;
    return p ?? '?';
  });
  if (missing) return { reason: 'names a parameter the definition does not show' };
  const key = normaliseExpr(raw);
  if (!LVALUE.test(key)) return { reason: `${displayOfKey(key)} is not a plain lock expression` };
  const call = /^\*?[A-Za-z_]\w*\(/.test(key);
  for (const r of roots(key)) {
    if (params.includes(r)) {
      if (assignedIn(body, r)) return { reason: `names the parameter ${r}, which the body assigns` };
    } else if (declaredIn(body, r)) return { reason: `names the local ${r}` };
    else if (r === 'NULL' || /^[A-Z][A-Z0-9_]*$/.test(r)) return { reason: `names ${r}, not a lock object` };
    // an accessor's other arguments are not relativised by the summaries: a name there may be a callee's local
    else if (call) return { reason: `names ${r}, which is not a parameter` };
  }
  // the address of a call's result is no lvalue (`&foo_lock_ptr(sb)`)
  if (!key.startsWith('*') && key.endsWith(')')) return { reason: `${key} is not an lvalue` };
  return { key };
}

/** Keys the function states already: annotations after its parameter list, assertions in its body. */
export function statedKeys(between: string, body: string): { annotated: Set<string>; asserted: Set<string> } {
  const a = readAnnotations(between);
  const annotated = new Set([...a.acquires, ...a.releases, ...a.mustHold].flat());
  const asserted = new Set<string>();
  const re = /\b(?:lockdep_assert_held\w*|percpu_rwsem_assert_held|assert_spin_locked|lockdep_is_held\w*)\s*\(/g;
  for (const m of body.matchAll(re)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    for (; i < body.length && depth > 0; i++) depth += body[i] === '(' ? 1 : body[i] === ')' ? -1 : 0;
    for (const k of keysOfAnnotation(body.slice(start, i - 1))) asserted.add(k);
  }
  return { annotated, asserted };
}

/**
 * A requirement passed up through more calls than this is not written: the deeper it comes from, the likelier a
 * path lockscope could not follow takes the lock on the way (the checks trust up to 4; a contract must be surer).
 */
const MAX_HOPS = 2;

type Effect = Summary['effects'][number];

/** A guard's test in the function's own names (`{1}` → `unlock`). */
const inNames = (test: string, params: string[]): string =>
  test.replace(/\{(\d+)\}/g, (m, i: string) => params[Number(i)] ?? m);

/** Why an effect is not the same on every exit, or undefined when it is. */
function conditionalWhy(e: Effect, params: string[]): string | undefined {
  if (e.when)
    return `${e.delta > 0 ? 'taken' : 'released'} only when ${inNames(e.when.test, params)} is ${e.when.value}`;
  if (e.onReturn) return `held after it only as its result says (trylock-style, ${e.onReturn})`;
  if (e.handed) return 'handed to an owner (a transaction) that releases it later';
  if (e.guard?.length) return 'released only where its object is not NULL';
  return undefined;
}

interface Entry {
  template: string;
  kind: LockKind;
  need?: Summary['requires'][number];
  effect?: Effect;
  why?: string;
}

/** Every lock the summary says something about on entry or exit, by template. */
function entries(
  sum: Summary,
  kinds: ReadonlyMap<string, LockKind>,
  params: string[],
  method?: string,
): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const at = (template: string, k: LockKind, cls?: string | null): Entry => {
    const kind = k === 'other' && cls ? (kinds.get(cls) ?? k) : k;
    const e = out.get(template) ?? { template, kind };
    if (e.kind === 'other') e.kind = kind;
    out.set(template, e);
    return e;
  };
  for (const r of sum.requires) {
    const e = at(r.template, r.ref.kind, r.ref.class);
    e.need = r;
    if (r.when?.length)
      e.why = `needed only where ${r.when.map((g) => `${inNames(g.test, params)} is ${g.value}`).join(' and ')}`;
    if (r.ref.symbolic) e.why = 'chosen by flags the caller passes';
    const hops = r.witness.filter((w) => w.note.startsWith('calls ')).length;
    if (r.callee && hops > MAX_HOPS) e.why = `needed ${hops} calls down (through ${r.callee}()): too far to be sure`;
    // a method's callers hold what its interface says (Documentation/filesystems/locking.rst), not what a callee
    // needs: such a requirement is a path the summary could not tell apart (btrfs_ioctl and balance_mutex)
    if (r.callee && method) e.why = `a method (${method}): its callers hold what the interface says`;
  }
  for (const x of sum.effects) {
    const e = at(x.template, x.ref.kind, x.ref.class);
    if (e.effect) e.why = 'taken and released under different conditions';
    e.effect = x;
    e.why ??= conditionalWhy(x, params) ?? (x.ref.symbolic ? 'chosen by flags the caller passes' : undefined);
  }
  const kept = new Set((sum.keeps ?? []).map((k) => k.template));
  for (const t of sum.conditional) {
    const e = out.get(t) ?? at(t, 'other');
    e.why = kept.has(t)
      ? 'held on every exit, but neither its name nor an annotation says it returns holding it'
      : 'changed on some exits only';
  }
  return out;
}

/** The contract lockscope can write for a function with summary `sum`, parameters `params` and body `body`. */
export function inferContract(
  sum: Summary,
  params: string[],
  between: string,
  body: string,
  kinds: ReadonlyMap<string, LockKind> = new Map(),
  /** The ops-table field the function is stored in, if it is a method (edits.ts `ContractInput.method`). */
  method?: string,
): InferredContract {
  const out: InferredContract = { locks: [], skipped: [] };
  if (sum.provisional) return { locks: [], skipped: ['its summary is provisional (a recursive cycle)'] };
  const { annotated, asserted } = statedKeys(between, body);
  for (const e of entries(sum, kinds, params, method).values()) {
    const named = keyIn(e.template, params, body);
    const label = displayOfKey('key' in named ? named.key : normaliseExpr(inNames(e.template, params))).replace(
      /,(?=\S)/g,
      ', ',
    );
    const why = e.why ?? UNNAMEABLE[e.kind] ?? ('reason' in named ? named.reason : undefined);
    if (why) {
      out.skipped.push(`${label}: ${why}`);
      continue;
    }
    if (!('key' in named)) continue;
    // a name no parameter gives and no lock primitive takes: a token of a callee's annotation (`__acquires(bitlock)`)
    if (e.kind === 'other' && roots(named.key).some((r) => !params.includes(r))) {
      out.skipped.push(`${label}: a name from an annotation, not a lock lockscope has seen taken`);
      continue;
    }
    if (e.need && e.effect && e.effect.delta > 0) {
      out.skipped.push(`${label}: needed held on entry and taken again`);
      continue;
    }
    const lock: ContractLock = { lock: label };
    const annotation = !e.effect ? '__must_hold' : e.effect.delta > 0 ? '__acquires' : '__releases';
    if (!annotated.has(named.key)) lock.annotation = annotation;
    // a requirement the function states itself (an annotation, an assertion or a `WARN_ON(!mutex_is_locked())`
    // in its body) is checked already; one passed up from a callee, or a lock it releases before taking, is not
    const statedHere = !e.need?.callee && !/ before any lock$/.test(e.need?.via ?? '');
    if (e.need && !statedHere && !asserted.has(named.key)) lock.assertion = assertionFor(e.need.via, e.kind);
    if (lock.annotation || lock.assertion) out.locks.push(lock);
  }
  out.locks.sort((a, b) => order(a) - order(b) || a.lock.localeCompare(b.lock));
  return out;
}

const ORDER = ['__must_hold', '__releases', '__acquires', undefined];
const order = (l: ContractLock): number => ORDER.indexOf(l.annotation);
