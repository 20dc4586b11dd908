/**
 * Observers that feed the whole-tree analysis rather than report: every lock-order edge with its
 * witness path (the lock-order graph, from which lockorder.ts reports inversions), and the locks
 * held at each direct call (what callers hold, for hover).
 */
import { isHeld, onErrorPath } from '../absint';
import type { CheckContext, CheckOptions, Checker } from './context';
import { takenKey } from './context';

/** Lock-order edges: `taken` acquired while `held` is held, here or inside a call. */
export function orderEdges({ paths }: CheckContext, opts: CheckOptions): Checker {
  const sink = opts.order;
  if (!sink) return {};
  return {
    observer: {
      order(held, taken, s, site, via, inner, subclass) {
        const path = paths.trail(s, takenKey(held));
        const onError = onErrorPath(s.facts) ? { onError: true } : {};
        if (via) {
          const [call, ...rest] = paths.callInto(site, via, held.ref.display, inner ?? []);
          path.push({ ...call, ...onError }, ...rest);
        } else path.push({ ...paths.step(site, `takes ${taken.display} with ${held.ref.display} held`), ...onError });
        sink({ held, taken, site, path, ...(subclass !== undefined ? { subclass } : {}) });
      },
    },
  };
}

/** The locks held at each direct call. */
export function callSites(opts: CheckOptions): Checker {
  const sink = opts.callSite;
  if (!sink) return {};
  return {
    observer: {
      callSite(callee, s) {
        sink(
          callee,
          [...s.locks.values()].filter((f) => isHeld(f)).map((f) => f.ref.display),
        );
      },
    },
  };
}
