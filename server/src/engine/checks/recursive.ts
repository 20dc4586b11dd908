/**
 * recursive-lock: a lock held on some path is taken again on it (same instance, same subclass),
 * here or inside a callee; reported once per held acquisition.
 */
import { type Catalog, type PathStep, findingMessage } from '../model';
import { type KindChecker, lineRef, takenKey } from './context';

/**
 * The forbidden-call rule a path runs through for this lock class (`calls generic_write_sync()` on the way to
 * a second inode lock), cited by the recursive-lock that stands for it (checks/forbidden.ts).
 */
function ruleOnPath(path: readonly PathStep[], cls: string | null, catalog: Catalog): string {
  if (!cls) return '';
  for (const step of path) {
    const call = /^calls (\w+)\(\)/.exec(step.note)?.[1];
    const rule = call ? catalog.forbiddenCall(call) : undefined;
    if (rule && rule.class === cls) return `; the forbidden-call rule on ${call}() warns of this: ${rule.reason}`;
  }
  return '';
}

export const recursiveLock: KindChecker = {
  kind: 'recursive-lock',
  create: ({ paths, ctx }, report) => ({
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
        const rule = ruleOnPath(path, op.lock.class, ctx.catalog);
        const msg =
          held.status === 'caller'
            ? findingMessage`possible recursive locking: ${what}; the caller holds it (${held.via})${rule}`
            : findingMessage`possible recursive locking: ${what}; already held since ${since} (${held.via})${rule}`;
        const cause = held.site ? `${held.site.line}:${held.site.column}` : held.via;
        report(op.lock.key, { class: op.lock.class, display: name }, op.site, msg, path, cause);
      },
    },
  }),
};
