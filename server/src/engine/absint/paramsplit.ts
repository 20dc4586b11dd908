/** A lock the function's exits disagree on, told apart by a test of one of its parameters (for summaries). */
import type { FunctionIR } from '../ir';
import { type LockFact, type State, objectOf } from './domain';
import { type Guard, paramTemplate } from './guard';

/** The effect under a parameter test's value, the effect otherwise, and the guard it holds under (if any). */
export type ParamSplit = {
  when: { test: string; value: boolean };
  delta: 1 | -1;
  otherwise: 0 | 1 | -1;
  fact: LockFact;
  guard?: Guard[];
};

/**
 * Exits that disagree on a lock, told apart by a test of one parameter (`flags & BTRFS_ILOCK_MMAP`,
 * `unlock`): the effect under the test's value, and the effect otherwise.
 */
export function paramSplit(ir: FunctionIR, exits: State[], key: string): ParamSplit | undefined {
  const split = splitOn(ir, exits, key);
  if (split) return split;
  // an exit where the lock's object is known NULL (`if (!page) return;`) holds nothing of it: when the exits do
  // not split on one test, those exits are left out (they fit either value of the test that splits the others),
  // and the effect is guarded by the object's being non-NULL on entry (a parameter's, guard.ts)
  const obj = objectOf(key);
  const live = obj === undefined ? exits : exits.filter((s) => s.facts.get(obj) !== false);
  if (!live.length || live.length === exits.length) return undefined;
  const test = paramTemplate(obj as string, ir);
  if (test === undefined || !test.includes('{')) return undefined;
  const rest = splitOn(ir, live, key);
  return rest && { ...rest, guard: [{ test, value: true }] };
}

function splitOn(ir: FunctionIR, exits: State[], key: string): ParamSplit | undefined {
  const deltaOf = (s: State): 0 | 1 | -1 => {
    const f = s.locks.get(key);
    return f?.status === 'held' ? 1 : f?.status === 'dropped' ? -1 : 0;
  };
  const texts = new Set<string>();
  for (const s of exits) for (const c of s.facts.conj) for (const k of c.keys()) texts.add(k);
  for (const t of texts) {
    const ids = (t.match(/(?:->|\.)?\b[A-Za-z_]\w*\b\(?/g) ?? []).filter(
      (x) => !x.startsWith('->') && !x.startsWith('.') && !x.endsWith('(') && !/^[A-Z_][A-Z0-9_]*$/.test(x),
    );
    if (ids.length !== 1 || !ir.params.includes(ids[0])) continue;
    const byValue = new Map<boolean, Set<number>>();
    let unknown = false;
    for (const s of exits) {
      const v = s.facts.get(t);
      if (v === undefined) {
        unknown = true;
        break;
      }
      const set = byValue.get(v) ?? new Set<number>();
      set.add(deltaOf(s));
      byValue.set(v, set);
    }
    if (unknown || byValue.size !== 2 || [...byValue.values()].some((d) => d.size !== 1)) continue;
    const dt = [...byValue.get(true)!][0];
    const df = [...byValue.get(false)!][0];
    const [value, delta, otherwise]: [boolean, number, number] = dt !== 0 ? [true, dt, df] : [false, df, dt];
    if (delta === 0) continue;
    const fact = exits.map((s) => s.locks.get(key)).find((f) => f && (f.status === 'held' || f.status === 'dropped'));
    if (!fact) continue;
    const test = t.replace(
      new RegExp(`(^|[^A-Za-z0-9_>.])${ids[0]}(?![A-Za-z0-9_])`),
      `$1{${ir.params.indexOf(ids[0])}}`,
    );
    return { when: { test, value }, delta: delta as 1 | -1, otherwise: otherwise as 0 | 1 | -1, fact };
  }
  return undefined;
}
