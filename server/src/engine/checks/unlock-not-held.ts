/**
 * unlock-not-held: one release reached both with the lock taken here and on a path that never took it
 * (an error path jumping to `out_unlock` before the lock was taken).
 */
import type { State } from '../absint';
import type { Op } from '../ir';
import { findingMessage } from '../model';
import type { KindChecker } from './context';

/** What happened at each release op: the states that held the lock and those that never took it. */
interface ReleaseSeen {
  op: Op & { k: 'release' };
  held: State[];
  unknown: State[];
}

export const unlockNotHeld: KindChecker = {
  kind: 'unlock-not-held',
  create: ({ paths }, report) => {
    const releases = new Map<Op, ReleaseSeen>();
    const seen = (op: Op & { k: 'release' }): ReleaseSeen => {
      let r = releases.get(op);
      if (!r) {
        r = { op, held: [], unknown: [] };
        releases.set(op, r);
      }
      return r;
    };
    return {
      observer: {
        releaseUnknown(op, s) {
          seen(op).unknown.push(s);
        },
        releaseHeld(op, s) {
          seen(op).held.push(s);
        },
      },
      finish() {
        for (const r of releases.values()) {
          if (!r.unknown.length) continue;
          const takenHere = r.held.some((s) => {
            const f =
              s.locks.get(r.op.lock.key) ??
              [...s.locks.values()].find((g) => g.ref.base && g.ref.base === r.op.lock.base);
            return f?.status === 'held';
          });
          if (!takenHere) continue;
          const { op } = r;
          const path = paths.trail(r.unknown[0]);
          path.push(paths.step(op.site, `releases ${op.lock.display} (${op.via}) without holding it`));
          report(
            op.lock.key,
            op.lock,
            op.site,
            findingMessage`unlock of ${op.lock.display}, which is not held on every path here: this path never took it`,
            path,
          );
        }
      },
    };
  },
};
