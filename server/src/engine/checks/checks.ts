/**
 * Intraprocedural checks. The solved states are replayed through the transfer function with an
 * observer, and each finding kind's checker (one file each, listed in CHECKERS) turns what it sees
 * into findings with witness paths, at the kind's default severity; the pipeline applies the user's
 * severities. Lock-order inversions are found over the whole tree (lockorder.ts) from the edges
 * reported here.
 */
import type { Observer, Solution, State, TransferContext } from '../absint';
import { applyOp, runNode } from '../absint';
import { type Finding, type FindingKind, NOFAULT_SCOPE, NOFS_SCOPE } from '../model';
import {
  type CheckContext,
  type CheckOptions,
  type Checker,
  FindingSink,
  type KindChecker,
  PathBuilder,
  type Report,
} from './context';
import { doubleUnlock } from './double-unlock';
import { faultUnderLock } from './fault';
import { reclaimUnderLock } from './reclaim';
import { callSites, orderEdges } from './feeds';
import { forbiddenCall } from './forbidden';
import { GuardDoubts } from './guards';
import { lockImbalance } from './imbalance';
import { DOCUMENTED_KIND } from './docorder';
import { INVERSION_KIND } from './lockorder';
import { missingRequiredLock } from './missing';
import { recursiveLock } from './recursive';
import { sleepInAtomic } from './sleep';
import { unlockNotHeld } from './unlock-not-held';

export type { CheckOptions } from './context';

/**
 * The per-function checkers, one per finding kind. Their last passes run in this order:
 * lock-imbalance leaves out what unlock-not-held reported.
 */
export const CHECKERS: readonly KindChecker[] = [
  recursiveLock,
  sleepInAtomic,
  missingRequiredLock,
  forbiddenCall,
  faultUnderLock,
  reclaimUnderLock,
  doubleUnlock,
  unlockNotHeld,
  lockImbalance,
];

/** Every kind some check reports: the per-function checkers', and the whole-tree graph's (inversions, documented). */
export const CHECKED_KINDS: readonly FindingKind[] = [...CHECKERS.map((k) => k.kind), INVERSION_KIND, DOCUMENTED_KIND];

export function runChecks(sol: Solution, ctx: TransferContext, opts: CheckOptions): Finding[] {
  const ir = sol.ir;
  const tainted = ir.taintedKeys;
  // read when a finding is reported: the replay itself taints keys (ctx.tainted grows)
  // (a task-state scope is not a lock: pagefault_disable() here and pagefault_enable() in a helper is no leak)
  const suppressed = (key: string): boolean =>
    sol.saturated || tainted.has('*') || tainted.has(key) || ctx.tainted.has(key) || SCOPE_KEYS.has(key);
  const c: CheckContext = {
    ir,
    ctx,
    sink: new FindingSink(ir, suppressed),
    paths: new PathBuilder(ir),
    needsTree: opts.needsTree,
  };
  // where the replay is: findings on guarded lock operations ask the guard what the engine knew there
  const at: { id: number; state?: State } = { id: -1 };
  const guards = new GuardDoubts(sol);
  const reporter = (kind: FindingKind): Report => {
    const r = c.sink.reporter(kind);
    if (!GUARDED_KINDS.has(kind)) return r;
    return (key, lock, site, msg, path, cause, doubts = []) =>
      r(key, lock, site, msg, path, cause, at.state ? [...doubts, ...guards.at(at.id, at.state, key)] : doubts);
  };
  const checkers: Checker[] = [
    ...CHECKERS.map((k) => k.create(c, reporter(k.kind))),
    orderEdges(c, opts),
    callSites(opts),
  ];
  replay(sol, ctx, checkers, at);
  at.state = undefined;
  for (const k of checkers) k.finish?.();
  return c.sink.findings;
}

/** The task-state scopes (effects.ts): the lock checks say nothing about them. */
const SCOPE_KEYS: ReadonlySet<string> = new Set([NOFAULT_SCOPE, NOFS_SCOPE]);

/** Kinds reported at a lock operation, which a guard may have decided (guards.ts). */
const GUARDED_KINDS: ReadonlySet<FindingKind> = new Set(['unlock-not-held', 'double-unlock', 'recursive-lock']);

/** Every solved state through its node again, with the checkers observing; exits go to `exit`. */
function replay(sol: Solution, ctx: TransferContext, checkers: Checker[], at: { id: number; state?: State }): void {
  const ir = sol.ir;
  const observer = mergeObservers(checkers.map((k) => k.observer ?? {}));
  for (const id of sol.order) {
    const node = ir.nodes[id];
    for (const s of sol.inStates[id]) {
      at.id = id;
      at.state = s;
      if (node.kind === 'return') {
        const out = runNode(ir, id, s, ctx);
        if (out) for (const k of checkers) k.exit?.(node, out);
      }
      // replay with the observer (goto notes are added by runNode; ops one by one here)
      let cur: State | undefined = s;
      for (const op of node.ops) {
        cur = applyOp(cur, op, ctx, observer);
        if (!cur) break;
      }
    }
  }
}

type Callback = (...args: never[]) => void;

/** One observer calling every part's callbacks in order; a callback no part has stays absent. */
function mergeObservers(parts: Partial<Observer>[]): Observer {
  const merged: Record<string, Callback> = {};
  for (const part of parts) {
    for (const [name, cb] of Object.entries(part) as [string, Callback | undefined][]) {
      if (!cb) continue;
      const before = merged[name];
      merged[name] = before
        ? (...args: never[]) => {
            before(...args);
            cb(...args);
          }
        : cb;
    }
  }
  const none = (): void => {};
  return { recursive: none, doubleUnlock: none, releaseUnknown: none, releaseHeld: none, ...merged } as Observer;
}
