/** double-unlock: a lock already released on the path is released again. */
import { findingMessage } from '../model';
import { type KindChecker, lineRef } from './context';

export const doubleUnlock: KindChecker = {
  kind: 'double-unlock',
  create: ({ paths }, report) => ({
    observer: {
      doubleUnlock(op, prev, s) {
        const path = paths.trail(s);
        path.push(paths.step(op.site, `releases ${op.lock.display} again (${op.via})`));
        report(
          op.lock.key,
          op.lock,
          op.site,
          findingMessage`double unlock: ${op.lock.display} was already released at ${lineRef(prev.releasedAt)}`,
          path,
        );
      },
    },
  }),
};
