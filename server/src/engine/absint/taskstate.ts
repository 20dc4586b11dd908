/**
 * Per-task state across calls: facts about `current->…` (the task's journal_info, its flags) hold for the
 * whole task, not one frame. A caller that marks the task (`current->journal_info = STUB;`) before a call
 * makes the callee's test of that mark (`if (current->journal_info) return …;`) decidable, however many
 * calls away it is. Summaries carry two kinds of them:
 * - on an acquisition or a requirement (`when`, guard.ts, with the tests of the parameters): the task facts
 *   the path that takes the lock tested, with the value the task had on entry (no store to that field can
 *   reach the acquisition);
 * - on an indirect call passed up (`Deferred.when`): the task facts in force where the call is made.
 * Where a deferred call is resolved, an acquisition of its target whose `when` contradicts them is not on
 * any path of this task, so it is neither reported nor recorded.
 */
import { Facts, type State } from './domain';
import { type Guard, TASK, whenOf } from './guard';

/** A fact about the task's own state: `test` (rooted at `current`) reads `value` (a guard, guard.ts). */
export type TaskFact = Guard;

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
