/**
 * missing-required-lock: a callee that asserts or declares it needs a lock (here, or any number of calls
 * down) is called without it: released earlier on the path, not taken on this path while others take it, or a
 * lock of the filesystem's own in a method the VFS calls.
 */
import { findingMessage } from '../model';
import type { KindChecker } from './context';

export const missingRequiredLock: KindChecker = {
  kind: 'missing-required-lock',
  create: ({ paths, ctx }, report) => ({
    observer: {
      missingLock(lock, req, s, site, callee, inner, why) {
        const path = paths.trail(s);
        path.push(paths.step(site, `calls ${callee}() without ${lock.display} held`), ...inner);
        const state =
          why === 'released'
            ? 'it was released earlier on this path'
            : why === 'entry'
              ? `this path never took it, and the VFS calls ${ctx.entryPoint ?? 'this method'} without it`
              : 'this path never took it, while other paths do';
        report(
          lock.key,
          lock,
          site,
          findingMessage`${callee}() requires ${lock.display} to be held (${req}), but ${state}`,
          path,
        );
      },
    },
  }),
};
