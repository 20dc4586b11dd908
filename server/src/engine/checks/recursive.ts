/**
 * recursive-lock: a lock held on some path is taken again on it (same instance, same subclass),
 * here or inside a callee; reported once per held acquisition.
 */
import { findingMessage } from '../model';
import { type KindChecker, lineRef, takenKey } from './context';

export const recursiveLock: KindChecker = {
  kind: 'recursive-lock',
  create: ({ paths }, report) => ({
    observer: {
      recursive(op, held, s, via, inner) {
        // name the lock as the function being checked spells it
        const name = held.ref.display || op.lock.display;
        const how = via ? `taken again via ${via}()` : `taken again by ${op.via}`;
        const cls = op.lock.class ? ` (${op.lock.class})` : '';
        const path = paths.trail(s, takenKey(held));
        if (via && inner?.length) {
          path.push(...paths.callInto(op.site, via, name, inner.slice(0, -1)));
          const last = inner[inner.length - 1];
          path.push({ ...last, note: `${last.note}: ${name} taken again, deadlock` });
        } else {
          path.push(
            paths.step(
              op.site,
              via ? `calls ${via}(), which takes ${name} again: deadlock` : `takes ${name} again (${op.via}): deadlock`,
            ),
          );
        }
        const what = `${name}${cls} ${how}`;
        const since = lineRef(held.site);
        const msg =
          held.status === 'caller'
            ? findingMessage`possible recursive locking: ${what}; the caller holds it (${held.via})`
            : findingMessage`possible recursive locking: ${what}; already held since ${since} (${held.via})`;
        const cause = held.site ? `${held.site.line}:${held.site.column}` : held.via;
        report(op.lock.key, { class: op.lock.class, display: name }, op.site, msg, path, cause);
      },
    },
  }),
};
