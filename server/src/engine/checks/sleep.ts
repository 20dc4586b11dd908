/**
 * sleep-in-atomic: something that may sleep (a sleeping lock, a blocking allocation, schedule() ...)
 * reached while an atomic section (spinlock, RCU read side, preempt/irq off) is held, here or any number of
 * calls deep (a helper passing its caller's allocation flags down sleeps when they allow blocking).
 */
import { findingMessage } from '../model';
import { type KindChecker, takenKey } from './context';

export const sleepInAtomic: KindChecker = {
  kind: 'sleep-in-atomic',
  create: ({ paths }, report) => ({
    observer: {
      sleepInAtomic(what, atomic, s, site, via, inner) {
        const path = paths.trail(s, takenKey(atomic));
        if (via && inner?.length) path.push(...paths.callInto(site, via, atomic.ref.display, inner));
        else path.push(paths.step(site, `${what} may sleep, with ${atomic.ref.display} held`));
        // `what` is the call (`zap_add()`), with the allocation flags that make it sleep when they do
        const sleeps = `${what} may sleep`;
        const held = `${atomic.ref.display} (${atomic.ref.kind})`;
        const msg = findingMessage`sleeping in atomic context: ${sleeps} while ${held} is held`;
        const cause = `sleep:${atomic.site ? `${atomic.site.line}:${atomic.site.column}` : atomic.via}`;
        report(atomic.ref.key, atomic.ref, site, msg, path, cause);
      },
    },
  }),
};
