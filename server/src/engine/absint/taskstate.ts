/**
 * Per-task state across calls: facts about `current->…` (the task's journal_info, its flags) hold for the
 * whole task, not one frame. A caller that marks the task (`current->journal_info = STUB;`) before a call
 * makes the callee's test of that mark (`if (current->journal_info) return …;`) decidable, however many
 * calls away it is. Summaries carry two kinds of them:
 * - on an acquisition (`Acquisition.when`): the task facts the path that takes the lock tested, with the
 *   value the task had on entry (no store to that field can reach the acquisition);
 * - on an indirect call passed up (`Deferred.when`): the task facts in force where the call is made.
 * Where a deferred call is resolved, an acquisition of its target whose `when` contradicts them is not on
 * any path of this task, so it is neither reported nor recorded.
 */
import type { CfgNode, FunctionIR, Site } from '../ir';
import { Facts, type State } from './domain';

/** A fact about the task's own state: `text` (rooted at `current`) reads `value`. */
export interface TaskFact {
  test: string;
  value: boolean;
}

/** Texts rooted at the running task: `current->journal_info`, `current->flags&PF_MEMALLOC`. */
const TASK = /^\(?current->/;

/** The task facts every path of `s` agrees on. */
export function taskFacts(s: State): TaskFact[] {
  const out: TaskFact[] = [];
  const seen = new Set<string>();
  for (const c of s.facts.conj) {
    for (const k of c.keys()) {
      if (seen.has(k) || !TASK.test(k)) continue;
      seen.add(k);
      const v = s.facts.get(k);
      if (v !== undefined) out.push({ test: k, value: v });
    }
  }
  return out;
}

/** `facts` restricted by `when`; undefined when they contradict. */
export function assumeAll(facts: Facts, when: readonly TaskFact[] | undefined): Facts | undefined {
  let cur: Facts | undefined = facts;
  for (const w of when ?? []) {
    cur = cur.assume(w.test, w.value);
    if (!cur) return undefined;
  }
  return cur;
}

/** The facts a deferred call's target runs under: the caller's, and those in force where the call is made. */
export function factsAtCall(s: State, when: readonly TaskFact[] | undefined): Facts {
  return assumeAll(s.facts, when) ?? s.facts;
}

/** Only what both lists say (the same test with the same value). */
export function meetFacts(a: readonly TaskFact[], b: readonly TaskFact[]): TaskFact[] {
  return a.filter((x) => b.some((y) => y.test === x.test && y.value === x.value));
}

/** `a`, then what `b` adds about other tests. */
export function unionFacts(a: readonly TaskFact[], b: readonly TaskFact[]): TaskFact[] {
  return [...a, ...b.filter((y) => !a.some((x) => x.test === y.test))];
}

/** Per function: the task fields stored to, and the nodes such a store can reach (itself included). */
const stores = new WeakMap<FunctionIR, { reached: Map<number, Set<string>>; bySite: Map<string, number> }>();

function storesOf(ir: FunctionIR) {
  let s = stores.get(ir);
  if (s) return s;
  const reached = new Map<number, Set<string>>();
  const bySite = new Map<string, number>();
  for (const n of ir.nodes) {
    for (const op of n.ops) {
      if ('site' in op && op.site) bySite.set(`${op.site.line}:${op.site.column}`, n.id);
      if (op.k !== 'assign' || !TASK.test(op.name)) continue;
      // forward from the store: every node it reaches sees the stored value, not the entry one
      const todo: CfgNode[] = [n];
      const seen = new Set<number>();
      while (todo.length) {
        const m = todo.pop() as CfgNode;
        if (seen.has(m.id)) continue;
        seen.add(m.id);
        let set = reached.get(m.id);
        if (!set) reached.set(m.id, (set = new Set()));
        set.add(op.name);
        for (const e of m.succ) todo.push(ir.nodes[e.to]);
      }
    }
  }
  s = { reached, bySite };
  stores.set(ir, s);
  return s;
}

/**
 * The task facts of `s` that are about the task as it was on entry to `ir` at `site` (no store to the field
 * they test can reach it): the conditions on the caller's task under which this point is reached.
 */
export function entryTaskFacts(ir: FunctionIR, s: State, site: Site): TaskFact[] {
  const all = taskFacts(s);
  if (!all.length) return all;
  const { reached, bySite } = storesOf(ir);
  const id = bySite.get(`${site.line}:${site.column}`);
  const stored = id === undefined ? undefined : reached.get(id);
  if (!stored) return id === undefined && reached.size ? [] : all;
  const about = (test: string, name: string) =>
    test === name || (test.startsWith(name) && /^[^A-Za-z0-9_]/.test(test.slice(name.length)));
  return all.filter((f) => ![...stored].some((name) => about(f.test, name)));
}

/** A summary's list with `when` kept only when non-empty. */
export function whenOf(list: readonly TaskFact[]): { when?: TaskFact[] } {
  return list.length ? { when: [...list] } : {};
}

/**
 * The `when` of an acquisition seen in state `s` at `site` (with the callee's `inner` conditions when it is
 * taken in a callee): the entry task facts of this path, and the callee's conditions this state leaves open.
 * Seen again on another path (`old`), only what both paths say is kept, on `old` itself.
 */
export function acquiredWhen(
  ir: FunctionIR,
  s: State,
  site: Site,
  inner: readonly TaskFact[] | undefined,
  old: { when?: TaskFact[] } | undefined,
): { when?: TaskFact[] } {
  const open = (inner ?? []).filter((w) => s.facts.get(w.test) === undefined);
  const here = unionFacts(entryTaskFacts(ir, s, site), open);
  if (old) {
    if (old.when) {
      const both = meetFacts(old.when, here);
      if (both.length) old.when = both;
      else delete old.when;
    }
    return {};
  }
  return whenOf(here);
}

/** The `when` of a deferred call seen in state `s`: the callee's, then this state's task facts; met on `old`. */
export function deferredWhen(
  s: State,
  d: { when?: TaskFact[] },
  old: { when?: TaskFact[] } | undefined,
): { when?: TaskFact[] } {
  const here = unionFacts(d.when ?? [], taskFacts(s));
  if (old) {
    if (old.when) {
      const both = meetFacts(old.when, here);
      if (both.length) old.when = both;
      else delete old.when;
    }
    return {};
  }
  return whenOf(here);
}
