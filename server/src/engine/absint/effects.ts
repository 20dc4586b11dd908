/**
 * What a summary says the function does to the task besides its locks, through any depth of calls (a caller
 * holding a lock meets these wherever they are), each with one witness path: it may sleep, or sleeps only under
 * a condition its callers decide (allocation flags it is given, tests of its parameters); it may fault on user
 * memory; it may enter filesystem reclaim. None after the path dropped a lock its caller holds: a drop-and-retake
 * helper sleeps with the caller's spinlock released. A sleep reached only where the last reference goes, or
 * only on the way to an error return, says so on its witness (PathStep.only): callers that hold another
 * reference, or do not fail, may never get there, so findings through it are less sure. And at a call: a
 * callee's sleeps under a guard, decided with the call's arguments (`sleepsAtCall`).
 */
import type { FunctionIR, Op, Site } from '../ir';
import type { State } from './domain';
import { type PathStep, blockingFlags, blockingTest, gfpText } from '../model';
import { type Observer, type Summary, type TransferContext, sleep, sleepIf } from './transfer';
import { type CalleeStore, type Guard, entryGuards, evalGuards, paramTemplate, substitute } from './guard';

/** Witness paths are cut at this many steps. */
const MAX_WITNESS = 40;

/** Distinct guards a summary keeps sleeps under (`sleepsIf`). */
const MAX_SLEEPS_IF = 4;

/** The allocation flags a guard list makes a sleep depend on, if any (`{1}`, `gfp|__GFP_ZERO`). */
export function guardFlags(when: readonly Guard[]): string | undefined {
  for (const g of when) {
    const f = g.value ? blockingFlags(g.test) : undefined;
    if (f !== undefined) return f;
  }
  return undefined;
}

/** What the replay found the function does to the task, and where it is (the node being replayed). */
export class EffectsFound {
  private sleeps?: PathStep[];
  private faults?: PathStep[];
  private reclaims?: PathStep[];
  private readonly conditional = new Map<string, { when: Guard[]; witness: PathStep[] }>();
  private readonly kinds: NodeKinds;
  /** The node being replayed. */
  node = -1;

  /** `calleeStored`: the places its callees store to (stores.ts), which no guard tests. */
  constructor(
    private readonly ir: FunctionIR,
    private readonly calleeStored: readonly CalleeStore[] = [],
  ) {
    this.kinds = nodeKinds(ir);
  }

  /** Something that may sleep here (or inside `via`, along `inner`). */
  sleep(what: string, st: State, site: Site, via?: string, inner?: PathStep[]): void {
    if (this.droppedCallers(st)) return;
    this.record([], st, site, this.step(site, via ? `calls ${via}(), which may sleep` : `${what} may sleep`), inner);
  }

  /** Something that sleeps only under `when` (open guards, in this function's terms). */
  sleepIf(what: string, when: Guard[], st: State, site: Site, via?: string, inner?: PathStep[]): void {
    if (this.droppedCallers(st)) return;
    const flags = guardFlags(when);
    const note = via
      ? flags !== undefined
        ? `calls ${via}() with flags ${gfpText(flags)}, which may sleep`
        : `calls ${via}(), which may sleep`
      : `${what} may sleep if ${flags !== undefined ? gfpText(flags) : 'its flags'} allows blocking`;
    this.record(when, st, site, this.step(site, note), inner);
  }

  /** Something that may fault on user memory here (or inside `via`, along `inner`). */
  fault(what: string, st: State, site: Site, via?: string, inner?: PathStep[]): void {
    if (this.faults || this.droppedCallers(st)) return;
    const note = via ? `calls ${via}(), which may fault on user memory` : `${what} may fault on user memory`;
    this.faults = [this.plainStep(site, note), ...(inner ?? [])].slice(0, MAX_WITNESS);
  }

  /** An allocation that may enter filesystem reclaim here (or inside `via`, along `inner`). */
  reclaim(what: string, st: State, site: Site, via?: string, inner?: PathStep[]): void {
    if (this.reclaims || this.droppedCallers(st)) return;
    const note = via ? `calls ${via}(), which may enter reclaim` : `${what} may enter filesystem reclaim`;
    this.reclaims = [this.plainStep(site, note), ...(inner ?? [])].slice(0, MAX_WITNESS);
  }

  /** The summary's callbacks that record into this. */
  observer(): Pick<Observer, 'maySleep' | 'maySleepIf' | 'fault' | 'reclaim'> {
    return {
      maySleep: (what, st, site, via, inner) => this.sleep(what, st, site, via, inner),
      maySleepIf: (what, when, st, site, via, inner) => this.sleepIf(what, when, st, site, via, inner),
      fault: (what, st, site, via, inner) => this.fault(what, st, site, via, inner),
      reclaim: (what, st, site, via, inner) => this.reclaim(what, st, site, via, inner),
    };
  }

  /** The summary's part. */
  result(): Pick<Summary, 'sleeps' | 'sleepsIf' | 'faults' | 'reclaims'> {
    return {
      ...(this.sleeps
        ? { sleeps: this.sleeps }
        : this.conditional.size
          ? { sleepsIf: [...this.conditional.values()] }
          : {}),
      ...(this.faults ? { faults: this.faults } : {}),
      ...(this.reclaims ? { reclaims: this.reclaims } : {}),
    };
  }

  private plainStep(site: Site, note: string): PathStep {
    return { file: this.ir.file, line: site.line, column: site.column, function: this.ir.name, note };
  }

  private step(site: Site, note: string): PathStep {
    const only = this.kinds.lastRefOnly.has(this.node)
      ? 'the last reference is dropped'
      : this.kinds.errorOnly.has(this.node)
        ? 'it goes on to return an error'
        : undefined;
    return {
      file: this.ir.file,
      line: site.line,
      column: site.column,
      function: this.ir.name,
      note,
      ...(only ? { only } : {}),
    };
  }

  /**
   * A sleep under `open` (guards a callee or the allocation left open here) and the guards of this path on entry.
   * Allocation flags no caller decides (a local's, or a parameter stored to before) are not taken to block.
   */
  private record(open: readonly Guard[], st: State, site: Site, step: PathStep, inner?: PathStep[]): void {
    const witness = [step, ...(inner ?? [])].slice(0, MAX_WITNESS);
    const when = entryGuards(this.ir, st, site, open, this.calleeStored);
    for (const g of open) {
      const flags = blockingFlags(g.test);
      if (flags === undefined) continue;
      const t = paramTemplate(blockingTest(flags), this.ir);
      if (t === undefined || !when.some((w) => w.test === t && w.value === g.value)) return;
    }
    if (!when.length) {
      // one witness; a sure one (not only on a release or error path) wins over one that is not
      if (!this.sleeps || (sure(witness) && !sure(this.sleeps))) this.sleeps = witness;
      return;
    }
    const key = JSON.stringify(when);
    if (this.conditional.has(key) || this.conditional.size >= MAX_SLEEPS_IF) return;
    this.conditional.set(key, { when, witness });
  }

  /**
   * Has the path dropped a lock its caller holds (what it calls now runs without that lock)? So has a function
   * that declares it releases one (`__releases(x)`) where x is no longer known held: the name it was held by
   * may have been lost on the way (a local initialised from the parameter).
   */
  private droppedCallers(st: State): boolean {
    for (const f of st.locks.values()) if (f.status === 'dropped') return true;
    for (const keys of this.ir.annotations.releases) {
      const key = this.ir.canon ? this.ir.canon(keys[0]) : keys[0];
      const f = st.locks.get(key) ?? st.locks.get(keys[0]);
      if (!f || (f.status !== 'caller' && f.status !== 'held')) return true;
    }
    return false;
  }
}

/**
 * A callee that sleeps only under a guard (guard.ts): allocation flags it is given that allow blocking
 * (GFP_KERNEL sleeps, GFP_ATOMIC does not), tests of its parameters or the task, decided with the call's
 * arguments and the caller's facts. What they leave open (flags or tests of the caller's own variables) passes
 * up to the caller's summary.
 */
export function sleepsAtCall(
  s: State,
  sum: Summary,
  args: readonly (string | undefined)[],
  op: Op & { k: 'call' },
  ctx: TransferContext,
  obs?: Observer,
): void {
  for (const w of sum.sleepsIf ?? []) {
    const open = evalGuards(w.when, args, s.facts, ctx.macros);
    if (!open) continue;
    // the flags that made it sleep, when the call's arguments decided them (`with flags GFP_NOFS`)
    const flags = guardFlags(w.when);
    const given = flags !== undefined && guardFlags(open) === undefined ? substitute(flags, args) : undefined;
    const what = `${op.callee}()${given !== undefined ? ` with flags ${gfpText(given)}` : ''}`;
    if (!open.length) sleep(s, what, op.site, obs, op.callee, w.witness);
    else sleepIf(s, what, open, op.site, obs, op.callee, w.witness);
  }
}

/** Is no step of a witness taken only on a release or error path? */
function sure(witness: readonly PathStep[]): boolean {
  return !witness.some((s) => s.only);
}

interface NodeKinds {
  /** Nodes reached only through an outcome that drops the last reference. */
  lastRefOnly: Set<number>;
  /** Nodes from which every path returns an error (or does not return). */
  errorOnly: Set<number>;
}

const kindsCache = new WeakMap<FunctionIR, NodeKinds>();

/** Which nodes lie only on release paths, and which only on the way to an error return. */
function nodeKinds(ir: FunctionIR): NodeKinds {
  const known = kindsCache.get(ir);
  if (known) return known;
  // reached from the entry without an edge that drops the last reference
  const plain = new Set<number>([ir.entry]);
  const work = [ir.entry];
  while (work.length) {
    const id = work.pop()!;
    for (const e of ir.nodes[id]?.succ ?? []) {
      if (e.guard?.lastRef || plain.has(e.to)) continue;
      plain.add(e.to);
      work.push(e.to);
    }
  }
  // reaching a return that is not an error (void, success, a value we cannot classify)
  const preds = new Map<number, number[]>();
  for (const n of ir.nodes) for (const e of n.succ) preds.set(e.to, [...(preds.get(e.to) ?? []), n.id]);
  const fine = new Set<number>();
  const back: number[] = [];
  let returns = 0;
  for (const n of ir.nodes) {
    // a return that is not an error, or the end of the body reached without one
    let root = n.kind !== 'return' && n.succ.some((e) => e.to === ir.exit);
    if (n.kind === 'return') {
      returns++;
      root = !((n.ret?.k === 'const' || n.ret?.k === 'expr') && n.ret.error);
    }
    if (root) {
      fine.add(n.id);
      back.push(n.id);
    }
  }
  while (back.length) {
    const id = back.pop()!;
    for (const p of preds.get(id) ?? []) {
      if (fine.has(p)) continue;
      fine.add(p);
      back.push(p);
    }
  }
  const lastRefOnly = new Set<number>();
  const errorOnly = new Set<number>();
  for (const n of ir.nodes) {
    if (!plain.has(n.id)) lastRefOnly.add(n.id);
    if (returns && !fine.has(n.id)) errorOnly.add(n.id);
  }
  const kinds = { lastRefOnly, errorOnly };
  kindsCache.set(ir, kinds);
  return kinds;
}
