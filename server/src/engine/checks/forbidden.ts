/**
 * forbidden-call: a call a rule forbids while a lock is held (the lock named over the call's
 * arguments), made here or through any depth of calls.
 *
 * A rule stands in for what the analysis cannot see ("->fsync may take the inode lock"). Where it can
 * follow the call to the implementations its indirect calls resolve to (through the ops tables of the
 * function being checked), the general mechanism decides instead: no implementation takes a lock of
 * the rule's class, and the rule's premise is refuted (nothing is reported); one does, and the
 * recursive-lock found along that path is the finding (it cites the rule); the forbidden-call is
 * reported only when no such recursive-lock was found at the call (the instance could not be followed).
 * Where a summary it needs is not known yet (a callee or an implementation inside the kernel's large recursive
 * cycle, summarised after this function), the function is checked again once the whole tree is summarised
 * (Project.treeChecks), and that check decides.
 */
import {
  type Acquisition,
  type Facts,
  type LockFact,
  type State,
  type TransferContext,
  assumeAll,
  factsAtCall,
} from '../absint';
import type { Op } from '../ir';
import { type PathStep, findingMessage } from '../model';
import { type KindChecker, takenKey } from './context';

/** `later`: a summary it needs is not computed yet (decided in the whole-tree pass). */
type Followed = 'refuted' | 'confirmed' | 'later' | undefined;

/**
 * What the general mechanism sees of the rule's call `op.call`, made in state `s` here or inside `via`:
 * `refuted` when every indirect call it makes resolves through the ops tables of the function being checked
 * and none of the implementations takes a lock of the rule's class on a path the task's state allows there
 * (taskstate.ts); `confirmed` when one does; undefined when it cannot follow the call (no summary of it, an
 * indirect call resolved only by a guess or to a target whose summary is not computed yet, or none
 * resolved). The indirect calls are the ones `via` passes
 * up through `op.call` (with what it knows of the task where they are made), else `op.call`'s own.
 */
export function followRule(
  op: Op & { k: 'forbid' },
  s: State,
  via: string | undefined,
  ctx: TransferContext,
  hops: number,
): Followed {
  const cls = op.lock.class;
  if (!cls || !ctx.indirect) return undefined;
  const sum = ctx.summaryOf(op.call);
  const through = via && via !== op.call ? ctx.summaryOf(via) : undefined;
  if (!sum || (via && via !== op.call && !through)) return ctx.wholeTree ? undefined : 'later';
  const mine = through?.deferred.filter((d) => d.witness.some((w) => w.note === `calls ${op.call}()`));
  const deferred = mine?.length ? mine : sum.deferred;
  // (a summary made inside a large cycle before its callees may not show their indirect calls yet)
  if (!deferred.length) return ctx.wholeTree ? undefined : 'later';
  const takes = (acq: readonly Acquisition[], facts: Facts) =>
    acq.some((a) => a.ref.class === cls && (!a.when || assumeAll(facts, a.when)));
  let confirmed = takes(sum.acquires, s.facts);
  for (const d of deferred) {
    const targets = ctx.indirect(d.field, hops, d.recvType);
    if (targets.some((t) => t.pending) && !ctx.wholeTree) return 'later';
    if (!targets.length || targets.some((t) => t.by !== 'table' || t.pending)) return undefined;
    const facts = factsAtCall(s, d.when);
    if (targets.some((t) => takes(t.summary.acquires, facts))) confirmed = true;
  }
  return confirmed ? 'confirmed' : 'refuted';
}

export const forbiddenCall: KindChecker = {
  kind: 'forbidden-call',
  create: ({ paths, ctx, sink, needsTree }, report) => {
    const pending: (() => void)[] = [];
    return {
      observer: {
        forbidden(op, held: LockFact, s: State, via?: string, inner?: PathStep[]) {
          const hops = 1 + (inner ?? []).filter((w) => w.note.startsWith('calls ')).length;
          const followed = followRule(op, s, via, ctx, hops);
          if (followed === 'refuted') return;
          if (followed === 'later' && needsTree) {
            // decided once the tree is summarised, with the recursive-lock that may stand for it
            needsTree('forbidden-call');
            needsTree('recursive-lock');
            return;
          }
          const path = paths.trail(s, takenKey(held));
          if (via && inner?.length) path.push(...paths.callInto(op.site, via, held.ref.display, inner));
          else path.push(paths.step(op.site, `calls ${op.call}() with ${held.ref.display} held`));
          const how = via && via !== op.call ? ` (via ${via}())` : '';
          const emit = () =>
            report(
              held.ref.key,
              { class: held.ref.class, display: held.ref.display },
              op.site,
              findingMessage`${op.call}() is called${how} while ${held.ref.display} is held: ${op.reason}`,
              path,
              `forbid:${held.site ? `${held.site.line}:${held.site.column}` : held.via}`,
            );
          if (followed !== 'confirmed') return emit();
          // the general mechanism follows it: its recursive-lock at this call, if any, is the one finding
          pending.push(() => {
            const covered = sink.findings.some(
              (f) =>
                f.kind === 'recursive-lock' &&
                f.line === op.site.line &&
                f.column === op.site.column &&
                f.lock.class === held.ref.class,
            );
            if (!covered) emit();
          });
        },
      },
      finish() {
        for (const p of pending) p();
      },
    };
  },
};
