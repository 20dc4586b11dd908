/**
 * reclaim-under-lock: an allocation whose flags allow filesystem reclaim (GFP_KERNEL and the like, outside a
 * `memalloc_nofs_save()` scope; here or through any depth of calls) while a lock is held that the reclaim paths
 * take: `->writepage`, `->release_folio`, a shrinker's `->scan_objects`, `->evict_inode` of an unused inode ...
 * (RECLAIM_ENTRIES). Direct reclaim runs in the allocating task, so it waits for the lock the task holds:
 * lockdep's `fs_reclaim` map sees the same cycle (lock -> fs_reclaim -> lock).
 *
 * Locks are matched by lockdep-like class, as lockdep does; read against read does not conflict. A lock of the
 * inode an eviction entry is given is left out: reclaim evicts only inodes no one holds (link/entries.ts).
 */
import * as path from 'node:path';
import type { Site } from '../ir';
import { findingMessage } from '../model';
import { type KindChecker, takenKey } from './context';
import { conflicts, heldCause, heldLocks, modeWord } from './fault';
import { globalClass, lockClass } from './lockorder';

const LEAD = 'possible deadlock in memory reclaim';

export const reclaimUnderLock: KindChecker = {
  kind: 'reclaim-under-lock',
  create: ({ ir, ctx, paths, needsTree }, report) => {
    const dir = path.posix.dirname(ir.file);
    return {
      observer: {
        reclaim(what, s, site: Site, via, inner) {
          const local = (n: string) => ir.locals.has(n) || ir.params.includes(n);
          const held = heldLocks(s).map((f) => ({ f, cls: lockClass(f.ref, dir) ?? globalClass(f.ref, local) }));
          if (!held.some((h) => h.cls)) return;
          const takes = ctx.reclaimTakes?.();
          if (!takes) {
            needsTree?.('reclaim-under-lock');
            return;
          }
          for (const { f, cls } of held) {
            const t = cls ? takes.get(cls) : undefined;
            if (!cls || !t || !conflicts(f.mode, t.mode)) continue;
            const path = paths.trail(s, takenKey(f));
            if (via && inner?.length) path.push(...paths.callInto(site, via, f.ref.display, inner));
            else path.push(paths.step(site, `${what} may enter filesystem reclaim, with ${f.ref.display} held`));
            path.push(paths.step(site, `reclaim (fs_reclaim) enters ${t.entry}() (${t.via})`), ...t.witness);
            const at = t.witness[t.witness.length - 1];
            const allocates = via ? `${via}() may allocate with GFP_KERNEL` : `${what} allocates with GFP_KERNEL`;
            const heldText = `${f.ref.display} (${cls}) is held ${modeWord(f.mode)}`;
            const enters = `${t.entry}() (${t.via})`;
            const takesText = `${t.ref.display} ${modeWord(t.mode)}`;
            const tail = `reclaim enters ${enters}, which takes ${takesText}`;
            const ref = { file: at.file, line: at.line };
            const msg = findingMessage`${LEAD}: ${allocates} while ${heldText}, and ${tail} (${ref})`;
            report(f.ref.key, f.ref, site, msg, path, heldCause('reclaim', f));
          }
        },
      },
    };
  },
};
