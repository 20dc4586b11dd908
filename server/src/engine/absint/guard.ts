/**
 * Guards: the conditions on a function's parameters (and on the task, taskstate.ts) under which something in
 * its summary happens: a lock taken or required, a sleep (effects.ts; allocation flags it is given that allow
 * blocking are the guard `gfpflags_allow_blocking({1})`, decided by model/gfp.ts).
 * `btrfs_truncate_free_space_cache(trans, bg, inode)` takes the cache mutex only when `bg` is not NULL; a
 * search asserts the commit semaphore only when `path->need_commit_sem` is clear. The summary says so (`{1}`
 * true, `{2}->need_commit_sem` false) and each call evaluates it with its own arguments: a constant, or what
 * the caller's facts say of the argument (a value it tested, a field it stored, a field the allocator that
 * returned the object stored). Definitely false: the entry does not apply at this call. Definitely true: it
 * applies, with nothing left to say. Unknown: it applies as it would without the guard, and where the
 * argument is the caller's own parameter the guard is passed up.
 *
 * A guard is a conjunction of at most MAX_GUARD tests on the values the parameters had on entry: a test
 * that a store in the function (to the parameter or to the field it reads) can reach is about the new value,
 * and is left out, as is one that reads a place a callee stores to (its summary's stores, stores.ts) anywhere in
 * the function; a store that clears or sets only other flags (`flags &= ~FOO_A` before `flags & FOO_B`) does
 * not count.
 */
import type { FunctionIR, Site } from '../ir';
import { normaliseExpr } from '../ir';
import type { Macros } from '../syntax';
import { blockingFlags, blockingTest, gfpBlocks } from '../model';
import type { Facts, State } from './domain';

/** A test (`{1}`, `{2}->need_commit_sem`, `{0}&FOO_SYNC`, `current->journal_info`) and the value it reads. */
export interface Guard {
  test: string;
  value: boolean;
}

/** Tests kept in one guard (the shortest texts first). */
export const MAX_GUARD = 8;

/** Texts rooted at the running task: `current->journal_info`, `current->flags&PF_MEMALLOC`. */
export const TASK = /^\(?current->/;

/** Every parameter named in `text` becomes `{i}`; undefined when it names a local. */
export function paramTemplate(text: string, ir: FunctionIR): string | undefined {
  let bad = false;
  const out = text.replace(/(->|\.)?\b([A-Za-z_]\w*)\b/g, (m, sel: string | undefined, id: string) => {
    if (sel) return m;
    const i = ir.params.indexOf(id);
    if (i >= 0) return `{${i}}`;
    if (ir.locals.has(id)) bad = true;
    return m;
  });
  return bad ? undefined : out;
}

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
  // `flags | FOO_SYNC` has the FOO_SYNC bit whatever `flags` holds
  if (flags.includes(m[2])) return true;
  if (!flags.every((f) => /^[A-Z_][A-Z0-9_]*$/.test(f))) return undefined;
  return false;
}

/** Index of the parenthesis closing the one at 0, or -1. */
function closing(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

const OPERAND = /^[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)*$/;

/**
 * A test text as a fact text of the caller and the value it must read: `(!nowait)` true is `nowait` false,
 * `(p!=NULL)` true is `p` true; a constant is decided (`{value}` only).
 */
function asFact(text: string, value: boolean): { text?: string; value: boolean } {
  let t = text;
  let v = value;
  for (let guard = 0; guard < 8; guard++) {
    if (t.startsWith('(') && closing(t) === t.length - 1) t = t.slice(1, -1);
    else if (
      t.startsWith('!') &&
      !t.startsWith('!=') &&
      (OPERAND.test(t.slice(1)) || closing(t.slice(1)) === t.length - 2)
    ) {
      t = normaliseExpr(t.slice(1));
      v = !v;
    } else break;
  }
  const cmp = /^(.+?)(==|!=)(NULL|0)$/.exec(t);
  if (cmp && !/[=!<>&|]/.test(cmp[1])) {
    t = cmp[1];
    if (cmp[2] === '==') v = !v;
  }
  if (/^(0|false|NULL)$/.test(t)) return { value: !v };
  if (/^([1-9]\d*|true)$/.test(t)) return { value: v };
  return { text: t, value: v };
}

/**
 * One test of a guard at a call: `true`/`false` when the argument (a constant, or what `facts` say of it)
 * decides it, else the test in the caller's terms (`open`), or nothing when an argument cannot be named.
 */
export function evalGuard(
  g: Guard,
  args: readonly (string | undefined)[],
  facts: Facts,
  macros?: Macros,
): boolean | Guard | undefined {
  const flags = blockingFlags(g.test);
  if (flags !== undefined) return evalBlocking(flags, g.value, args, facts);
  if (g.test.includes('{')) {
    const c = evaluateTest(g.test, args, macros);
    if (c !== undefined) return c === g.value;
  }
  const text = g.test.includes('{') ? substitute(g.test, args) : g.test;
  if (text === undefined) return undefined;
  const f = asFact(text, g.value);
  if (f.text === undefined) return f.value;
  if (!facts.assume(f.text, f.value)) return false;
  if (!facts.assume(f.text, !f.value)) return true;
  return { test: f.text, value: f.value };
}

/**
 * A test that allocation flags allow blocking (model/gfp.ts) at a call: decided when the flags given are
 * constants (GFP_KERNEL blocks, GFP_ATOMIC does not), else open as `gfpflags_allow_blocking(flags)` in the
 * caller's terms, unless the caller has tested that itself.
 */
function evalBlocking(
  flags: string,
  value: boolean,
  args: readonly (string | undefined)[],
  facts: Facts,
): boolean | Guard | undefined {
  // flags that cannot be named stay open, unreadable: not taken to block (model/gfp.ts)
  const given = (flags.includes('{') ? substitute(flags, args) : flags) ?? '?';
  const blocks = gfpBlocks(given);
  if (blocks !== undefined) return blocks === value;
  const test = blockingTest(given);
  if (!facts.assume(test, value)) return false;
  if (!facts.assume(test, !value)) return true;
  return { test, value };
}

/**
 * A guard at a call: undefined when one of its tests is definitely false there (the entry does not apply),
 * else its tests still open, in the caller's terms.
 */
export function evalGuards(
  list: readonly Guard[] | undefined,
  args: readonly (string | undefined)[],
  facts: Facts,
  macros?: Macros,
): Guard[] | undefined {
  const open: Guard[] = [];
  for (const g of list ?? []) {
    const r = evalGuard(g, args, facts, macros);
    if (r === false) return undefined;
    if (r && r !== true) open.push(r);
  }
  return open;
}

/** A place a callee stores to (as the function names it), and the call that does. */
export interface CalleeStore {
  text: string;
  node: number;
  site: Site;
}

/** Per function: its assigned lvalues, and the nodes a store to one can reach (itself included). */
const reach = new WeakMap<
  FunctionIR,
  { names: Set<string>; bySite: Map<string, number>; from: Map<string, Set<number>> }
>();

function reachOf(ir: FunctionIR) {
  let r = reach.get(ir);
  if (r) return r;
  const names = new Set<string>();
  const bySite = new Map<string, number>();
  for (const n of ir.nodes) {
    for (const op of n.ops) {
      if ('site' in op && op.site) bySite.set(`${op.site.line}:${op.site.column}`, n.id);
      if (op.k === 'assign') names.add(op.name);
    }
  }
  r = { names, bySite, from: new Map() };
  reach.set(ir, r);
  return r;
}

/**
 * The nodes a store to `name` reaches; with `bit`, only stores that may change that flag of it (`x &= ~A` and
 * `x |= A` change the flag A only).
 */
function reachedBy(ir: FunctionIR, name: string, bit?: string): Set<number> {
  const stores = () =>
    ir.nodes
      .filter((n) =>
        n.ops.some((op) => op.k === 'assign' && op.name === name && !(bit && op.bits && !op.bits.includes(bit))),
      )
      .map((n) => n.id);
  return reached(ir, bit === undefined ? name : `${name}&${bit}`, stores);
}

/** The nodes reachable from `starts` (themselves included), memoised per function under `key`. */
function reached(ir: FunctionIR, key: string, starts: () => number[]): Set<number> {
  const r = reachOf(ir);
  let set = r.from.get(key);
  if (set) return set;
  set = new Set<number>();
  const todo = starts();
  while (todo.length) {
    const m = todo.pop() as number;
    if (set.has(m)) continue;
    set.add(m);
    for (const e of ir.nodes[m].succ) todo.push(e.to);
  }
  r.from.set(key, set);
  return set;
}

/** The flag a test of `name` reads (`flags&FOO_X`: FOO_X), if that is all it reads. */
function flagTested(test: string, name: string): string | undefined {
  const m = /^\(?([A-Za-z_]\w*)\)?&([A-Z_][A-Z0-9_]*)$/.exec(test);
  return m && m[1] === name ? m[2] : undefined;
}

/** The nodes reachable from node `from` (itself included). */
function reachableFrom(ir: FunctionIR, from: number): Set<number> {
  return reached(ir, `#${from}`, () => [from]);
}

/**
 * Can the store of callee `c` have happened before the flow reaches `site` (in node `id`)? Its call reaches the
 * node (a later call in the same node, or the call at `site` itself, stores only after).
 */
function storedBefore(ir: FunctionIR, c: CalleeStore, id: number | undefined, site: Site): boolean {
  if (id === undefined) return true;
  if (c.node === id) {
    const before = c.site.line < site.line || (c.site.line === site.line && c.site.column < site.column);
    // in a loop the node is reached again after the call
    return before || [...ir.nodes[id].succ].some((e) => reachableFrom(ir, e.to).has(id));
  }
  return reachableFrom(ir, c.node).has(id);
}

/** Does `text` read the lvalue `name` (`p`, `p->x`, `current->journal_info`) or something under it? */
export function reads(text: string, name: string): boolean {
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
    const before = i > 0 ? text[i - 1] : ' ';
    const after = text[i + name.length] ?? ' ';
    const field = before === '.' || (before === '>' && text[i - 2] === '-');
    if (!field && !/\w/.test(before) && !/\w/.test(after)) return true;
  }
  return false;
}

/**
 * The facts of `s` (and `extra`, a callee's guard still open here) that are about the parameters (or the task)
 * as they were on entry to `ir`, at `site`: every path agrees on them, no store to what they read reaches the
 * site, and no callee whose call reaches the site stores to it (`calleeStored`: the places, as `ir` names
 * them). Parameter tests come templated (`{1}->flags&FOO_X`).
 */
export function entryGuards(
  ir: FunctionIR,
  s: State,
  site: Site,
  extra: readonly Guard[] = [],
  calleeStored: readonly CalleeStore[] = [],
): Guard[] {
  const cand = new Map<string, boolean>();
  for (const c of s.facts.conj) {
    for (const k of c.keys()) {
      if (cand.has(k) || k.startsWith('#')) continue;
      const v = s.facts.get(k);
      if (v !== undefined) cand.set(k, v);
    }
  }
  for (const g of extra) if (!cand.has(g.test)) cand.set(g.test, g.value);
  if (!cand.size) return [];
  const r = reachOf(ir);
  const id = r.bySite.get(`${site.line}:${site.column}`);
  const out: Guard[] = [];
  for (const [k, v] of [...cand].sort(([a], [b]) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0))) {
    let test: string | undefined;
    if (TASK.test(k)) test = k;
    else {
      const t = paramTemplate(k, ir);
      if (t !== undefined && t.includes('{')) test = t;
    }
    if (test === undefined) continue;
    if (calleeStored.some((c) => reads(k, c.text) && storedBefore(ir, c, id, site))) continue;
    const stored = [...r.names].filter((n) => reads(k, n));
    if (stored.length && (id === undefined || stored.some((n) => reachedBy(ir, n, flagTested(k, n)).has(id)))) continue;
    out.push({ test, value: v });
    if (out.length >= MAX_GUARD) break;
  }
  return out;
}

/** Only what both guards say (the same test with the same value): what holds on either path. */
export function meetGuards(a: readonly Guard[], b: readonly Guard[]): Guard[] {
  return a.filter((x) => b.some((y) => y.test === x.test && y.value === x.value));
}

/** A list's `when`, kept only when non-empty. */
export function whenOf(list: readonly Guard[]): { when?: Guard[] } {
  return list.length ? { when: [...list] } : {};
}

/**
 * The `when` of a summary entry seen in state `s` at `site` (`inner`: a callee's guard still open here;
 * `calleeStored`: see entryGuards): the entry guards of this path. Seen again on another path (`old`), only
 * what both paths say is kept, on `old` itself, and nothing is returned.
 */
export function guardWhen(
  ir: FunctionIR,
  s: State,
  site: Site,
  inner: readonly Guard[] | undefined,
  old: { when?: Guard[] } | undefined,
  calleeStored: readonly CalleeStore[] = [],
): { when?: Guard[] } {
  const here = entryGuards(ir, s, site, inner ?? [], calleeStored);
  if (old) {
    if (old.when) {
      const both = meetGuards(old.when, here);
      if (both.length) old.when = both;
      else delete old.when;
    }
    return {};
  }
  return whenOf(here);
}
