/**
 * The whole-tree pass (after Project.analyze's bottom-up pass), and its view of summaries: a member of a
 * recursive cycle too large to be summarised in rounds was summarised once, possibly before its own callees in
 * the cycle; once every summary is known, such a callee is summarised again (two calls deep, memoised), so the
 * checks made then see what it does through them.
 */
import type { Summary } from './absint';
import type { Specialiser } from './callbacks';
import { type FunctionEnv, analyseFunction } from './function';
import type { FunctionIR } from './ir';
import { type Linker, faultHandlers, reclaimTakes } from './link';
import type { Finding, FindingKind } from './model';
import { memoSummary } from './memo';
import { SCOPES, type ScopeCalls } from './scopes';

interface TreeFn {
  ir: FunctionIR;
  file: string;
}

/** An environment maker whose `summaryOf` gives the callees in `once` summarised again, `depth` calls deep. */
export function refreshedEnvs<F extends TreeFn>(
  fns: readonly F[],
  baseEnv: (f: F) => FunctionEnv,
  resolve: (file: string, name: string) => number | undefined,
  summaries: ReadonlyMap<number, Summary>,
  once: ReadonlySet<number>,
): (f: F, depth: number) => FunctionEnv {
  const fresh = new Map<string, Summary | null>();
  const envOf = (f: F, depth: number): FunctionEnv => {
    const base = baseEnv(f);
    if (!depth) return base;
    return {
      ...base,
      summaryOf: (n) => {
        const t = resolve(f.file, n);
        return t !== undefined && once.has(t) ? refreshed(t, depth - 1) : base.summaryOf(n);
      },
    };
  };
  const refreshed = (t: number, depth: number): Summary | undefined => {
    const g = fns[t];
    // (a call back into it, inside its own analysis, sees the summary it had)
    const again = () => analyseFunction(g.ir, envOf(g, depth), { check: false }).summary;
    return memoSummary(fresh, `${t}:${depth}`, again, summaries.get(t));
  };
  return envOf;
}

/**
 * The checks that need the whole tree summarised (the page-fault handlers and the reclaim entries are not
 * callees of the functions they are checked against, so the bottom-up order does not reach them first; a
 * callee inside the kernel's large recursive cycle may be summarised after its caller): the functions that
 * asked for it, checked again once every summary is known; of each, the kinds it asked for are taken from
 * this check (the first one's findings of those kinds were left out).
 */
export function treeChecks<F extends TreeFn & { id: number; dir: string }>(
  ids: ReadonlyMap<number, FindingKind[]>,
  run: {
    fns: readonly F[];
    baseEnv: (f: F) => FunctionEnv;
    linker: Linker;
    summaries: ReadonlyMap<number, Summary>;
    scopes: ScopeCalls;
    once: ReadonlySet<number>;
    specialiser: Specialiser<F>;
  },
): Finding[] {
  if (!ids.size) return [];
  const { fns, linker, summaries, scopes, once, specialiser } = run;
  const summaryOf = (t: number) => summaries.get(t);
  const envOf = refreshedEnvs(fns, run.baseEnv, (file, n) => linker.resolve(file, n), summaries, once);
  let takes: ReturnType<typeof reclaimTakes> | undefined;
  const out: Finding[] = [];
  for (const [id, kinds] of ids) {
    const f = fns[id];
    const env: FunctionEnv = {
      ...envOf(f, 2),
      // (callees given callbacks specialised as in the first check)
      specialize: specialiser.for(id),
      faultHandlers: () => faultHandlers(linker, f.dir, summaryOf),
      reclaimTakes: () => (takes ??= reclaimTakes(linker, summaryOf)),
      entryScopes: SCOPES.filter((k) => scopes.onEntry(id, k, linker)),
      wholeTree: true,
    };
    out.push(...analyseFunction(f.ir, env).findings.filter((x) => kinds.includes(x.kind)));
  }
  return out;
}
