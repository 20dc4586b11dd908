/**
 * Function pointers passed as arguments: `__foo_direct_IO(iocb, inode, iter, foo_get_block)` hands a
 * filesystem's callback to generic code that calls it through its parameter (`get_block(inode, ...)`, or after
 * passing it on). Such a call is analysed again for the callback it is given (the callee specialised: calls
 * through the parameter are calls to that function), so the callback's effects count where the generic code
 * makes them — a lock it returns with is held at the next call, in the generic loop. A callback not
 * summarised yet when it is passed is analysed on demand (project.ts).
 */
import { type Deferred, type IndirectTarget, type Summary, substitute } from './absint';
import type { FunctionIR } from './ir';
import type { PathStep } from './model';
import { normaliseExpr } from './ir';
import { busy } from './link';

/** Specialised at most this deep (a callback passed on by a specialised function to another one). */
export const MAX_SPECIALISATION_DEPTH = 3;

interface CallbackFn {
  ir: FunctionIR;
  file: string;
}

/** A binding of a function-pointer parameter to the function a call passes (named by function `by`). */
export interface Binding {
  param: string;
  fn: number;
  name: string;
  by: number;
}

export class Callbacks {
  private readonly called = new Map<number, Set<number>>();
  private readonly computing = new Set<number>();

  constructor(
    private readonly fns: readonly CallbackFn[],
    private readonly resolve: (file: string, name: string) => number | undefined,
  ) {}

  /** The parameters (by position) `id` calls through, itself or by passing them to a callee that does. */
  calledParams(id: number): ReadonlySet<number> {
    const known = this.called.get(id);
    if (known) return known;
    if (this.computing.has(id)) return new Set();
    this.computing.add(id);
    const { ir, file } = this.fns[id];
    const out = new Set<number>();
    const params = new Map(ir.params.map((p, i) => [p, i]));
    if (params.size) {
      for (const n of ir.nodes) {
        for (const op of n.ops) {
          if (op.k !== 'call') continue;
          const direct = params.get(op.callee);
          if (direct !== undefined) out.add(direct);
          const t = this.resolve(file, op.callee);
          if (t === undefined || t === id) continue;
          let inner: ReadonlySet<number> | undefined;
          op.args.forEach((a, j) => {
            const p = params.get(bare(a));
            if (p === undefined) return;
            inner ??= this.calledParams(t);
            if (inner.has(j)) out.add(p);
          });
        }
      }
    }
    this.computing.delete(id);
    this.called.set(id, out);
    return out;
  }

  /**
   * The bindings of a call from `file` to `callee` with `args`: each parameter it calls through, given a
   * function (by name, or by a parameter of the caller bound already: `outer`). Undefined when there is none.
   */
  bindings(
    caller: number,
    callee: number,
    args: readonly string[],
    outer?: ReadonlyMap<string, Binding>,
  ): Binding[] | undefined {
    const file = this.fns[caller].file;
    const called = this.calledParams(callee);
    if (!called.size) return undefined;
    const params = this.fns[callee].ir.params;
    const out: Binding[] = [];
    for (const i of called) {
      const a = args[i] === undefined ? undefined : bare(args[i]);
      if (!a || !/^[A-Za-z_]\w*$/.test(a)) continue;
      const via = outer?.get(a);
      if (via) {
        out.push({ ...via, param: params[i] });
        continue;
      }
      const fn = this.resolve(file, a);
      if (fn !== undefined) out.push({ param: params[i], fn, name: a, by: caller });
    }
    return out.length ? out : undefined;
  }

  /** Does function `id` pass a callback that takes locks (by `summaryOf`) to a callee that calls it? */
  passesBusy(id: number, summaryOf: (fn: number) => Summary | undefined): boolean {
    const { ir, file } = this.fns[id];
    for (const n of ir.nodes) {
      for (const op of n.ops) {
        if (op.k !== 'call' || !op.args.length) continue;
        const t = this.resolve(file, op.callee);
        if (t === undefined) continue;
        for (const b of this.bindings(id, t, op.args) ?? []) if (busy(summaryOf(b.fn))) return true;
      }
    }
    return false;
  }
}

/** An argument as a plain name: `&foo` and `(foo)` are `foo`. */
function bare(arg: string): string {
  return normaliseExpr(arg).replace(/^&/, '');
}

/** What specialising needs of the whole-tree analysis. */
export interface SpecialiseHost<F extends CallbackFn> {
  fns: readonly F[];
  resolve(file: string, name: string): number | undefined;
  /**
   * Analyse `f` with calls to the parameters named in `bound` made to the functions bound (and `specialize`
   * for its own calls), its observers attached: its summary.
   */
  analyse(f: F, bound: ReadonlyMap<string, Binding>, specialize: Specialize): Summary;
}

/** Look up the callee of a call specialised for the callbacks its arguments pass, if it calls any. */
export type Specialize = (callee: string, args: readonly string[]) => Summary | undefined;

/** Specialised summaries, once each per callee and bindings, for one run of the analysis. */
export class Specialiser<F extends CallbackFn> {
  private readonly done = new Map<string, Summary | null>();

  constructor(
    private readonly host: SpecialiseHost<F>,
    private readonly callbacks: Callbacks,
  ) {}

  /** The `specialize` of function `id` (whose own parameters are bound as `outer`, at `depth`). */
  for(id: number, outer?: ReadonlyMap<string, Binding>, depth = 0): Specialize {
    const f = this.host.fns[id];
    return (callee, args) => {
      if (depth >= MAX_SPECIALISATION_DEPTH) return undefined;
      const t = this.host.resolve(f.file, callee);
      if (t === undefined) return undefined;
      const b = this.callbacks.bindings(id, t, args, outer);
      if (!b) return undefined;
      const key = `${t}|${b.map((x) => `${x.param}=${x.fn}@${x.by}`).join(',')}`;
      const known = this.done.get(key);
      if (known !== undefined) return known ?? undefined;
      this.done.set(key, null); // (a recursive specialisation sees the plain summary)
      const g = this.host.fns[t];
      const bound = new Map(b.map((x) => [x.param, x]));
      // what it holds on every exit with the callback in it, it holds for its caller as the callback does
      const s = asCallback(this.host.analyse(g, bound, this.for(t, bound, depth + 1)))!;
      this.done.set(key, s);
      return s;
    };
  }
}

/**
 * A callback's summary as the code it is passed to sees it: the locks it holds on every exit are held after
 * the call (get_block returning with the extent locked, for the read's completion to unlock).
 */
export function asCallback(s: Summary | undefined): Summary | undefined {
  if (!s?.keeps?.length) return s;
  const kept = new Set(s.keeps.map((k) => k.template));
  return { ...s, effects: [...s.effects, ...s.keeps], conditional: s.conditional.filter((t) => !kept.has(t)) };
}

/**
 * A callback's calls through ops-table fields, resolved where the callback comes from (the function that
 * names it, in its filesystem): their targets' locks are taken inside the callback. Generic code that calls
 * it knows no filesystem to resolve them by.
 */
export function withOwnIndirect(
  s: Summary | undefined,
  targets: (d: Deferred) => IndirectTarget[],
): Summary | undefined {
  if (!s?.deferred.length) return s;
  const acquires = [...s.acquires];
  const seen = new Set(acquires.map((a) => a.template ?? `class:${a.ref.order ?? a.ref.class}`));
  for (const d of s.deferred) {
    for (const t of targets(d)) {
      const last = d.witness[d.witness.length - 1];
      const note = `->${d.field} resolves to ${t.summary.name} (${t.via})`;
      const step = last ? [{ ...last, note, ...(t.by ? { resolvedBy: t.by } : {}) }] : [];
      for (const a of t.summary.acquires) {
        const template = a.template === undefined ? undefined : substitute(a.template, d.args);
        const id = template ?? `class:${a.ref.order ?? a.ref.class}`;
        if (seen.has(id)) continue;
        seen.add(id);
        acquires.push({ ...a, template, witness: [...d.witness, ...step, ...a.witness] });
      }
    }
  }
  return { ...s, acquires };
}

/** A callback's summary with `step` (which function the parameter is) first on every witness path it gives. */
export function throughParam(s: Summary | undefined, step: PathStep): Summary | undefined {
  if (!s) return s;
  const w = (x: PathStep[]) => [step, ...x];
  return {
    ...s,
    acquires: s.acquires.map((a) => ({ ...a, witness: w(a.witness) })),
    deferred: s.deferred.map((d) => ({ ...d, witness: w(d.witness) })),
    forbidden: s.forbidden.map((f) => ({ ...f, witness: w(f.witness) })),
    ...(s.sleeps ? { sleeps: w(s.sleeps) } : {}),
  };
}
