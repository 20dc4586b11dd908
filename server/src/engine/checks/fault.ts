/**
 * fault-under-lock: a call that may fault on user memory (copy_*_user, get_user_pages*, iov_iter_get_pages*,
 * fault_in_* ...; here or through any depth of calls), made with page faults enabled while a lock is held, when
 * a page-fault handler of the same filesystem (`vm_operations_struct` `.fault`, `.page_mkwrite`, `.map_pages`
 * ..., and what it calls through its own ops tables) takes a lock of the same class in a mode that conflicts.
 * The user chooses the buffer: mmap a file of this filesystem and pass that mapping, and the fault enters the
 * handler with the lock held (a DIO write pinning pages of the file it writes).
 *
 * The lock is matched by class (the instance at the fault is the user's choice). Read against read does not
 * conflict (lockdep does not report rwsem read-after-read); page and folio locks are one lock.
 */
import * as path from 'node:path';
import { type IndirectTarget, type LockFact, type State, type TransferContext, isHeld } from '../absint';
import type { LockRef, Site } from '../ir';
import { type Doubt, type Mode, type PathStep, findingMessage, lockKindInfo } from '../model';
import { type KindChecker, takenKey } from './context';
import { fsOf, lockClass } from './lockorder';

/** The locks held in `s` that a fault or an allocation can meet: held, not a context or a scope. */
export function heldLocks(s: State): LockFact[] {
  return [...s.locks.values()].filter((f) => isHeld(f) && !f.ref.symbolic && !lockKindInfo(f.ref.kind).context);
}

/** Does taking a lock in `mode` wait for one held in `held`? Only two readers share. */
export const conflicts = (held: Mode, mode: Mode): boolean => held === 'excl' || mode === 'excl';

/** One finding per held lock (where it was taken), at the first call that meets it. */
export const heldCause = (what: string, f: LockFact): string =>
  `${what}:${f.site ? `${f.site.line}:${f.site.column}` : f.via}`;

export const modeWord = (m: Mode): string => (m === 'excl' ? 'exclusively' : 'shared');

/** A lock a handler takes, with its witness from the handler's first step. */
interface Taken {
  ref: LockRef;
  mode: Mode;
  witness: PathStep[];
}

/** What a handler takes: inside it, and inside what its own indirect calls resolve to for this filesystem. */
function takenBy(h: IndirectTarget, ctx: TransferContext): Taken[] {
  const out: Taken[] = h.summary.acquires.map((a) => ({ ref: a.ref, mode: a.mode, witness: a.witness }));
  for (const d of h.summary.deferred) {
    const last = d.witness[d.witness.length - 1];
    for (const t of ctx.indirect?.(d.field, 1, d.recvType) ?? []) {
      const step: PathStep = {
        ...last,
        note: `->${d.field} resolves to ${t.summary.name} (${t.via})`,
        ...(t.by ? { resolvedBy: t.by } : {}),
      };
      for (const a of t.summary.acquires)
        out.push({ ref: a.ref, mode: a.mode, witness: [...d.witness, step, ...a.witness] });
    }
  }
  return out;
}

/** Page and folio locks are the same bit of the same page. */
const oneClass = (c: string): string => c.replace(/^struct (page|folio)::PG_locked$/, 'PG_locked');

/**
 * Are `held` (in the function checked, in `dir`) and `taken` (by a handler of its filesystem) locks of one
 * class: the same catalog or struct-field class, or, with no type known for either, the same field name in this
 * filesystem (a guess: a doubt).
 */
export function sameClass(held: LockRef, taken: LockRef, dir: string): { same: boolean; doubt?: Doubt } {
  if (taken.symbolic || lockKindInfo(taken.kind).context) return { same: false };
  if (held.class && taken.class) return { same: oneClass(held.class) === oneClass(taken.class) };
  if (held.class || taken.class) return { same: false };
  const fs = fsOf(dir);
  const a = lockClass(held, fs, { fieldClasses: true });
  if (!a || a !== lockClass(taken, fs, { fieldClasses: true })) return { same: false };
  return { same: true, doubt: { level: 'medium', why: 'the two locks are matched by their field name only' } };
}

const LEAD = 'possible deadlock in a page fault';

export const faultUnderLock: KindChecker = {
  kind: 'fault-under-lock',
  create: ({ ir, ctx, paths, needsTree }, report) => {
    const dir = path.posix.dirname(ir.file);
    return {
      observer: {
        fault(what, s, site: Site, via, inner) {
          const held = heldLocks(s);
          if (!held.length) return;
          const handlers = ctx.faultHandlers?.();
          if (!handlers) {
            needsTree?.('fault-under-lock');
            return;
          }
          for (const h of handlers) {
            for (const t of takenBy(h, ctx)) {
              for (const f of held) {
                const { same, doubt } = sameClass(f.ref, t.ref, dir);
                if (!same || !conflicts(f.mode, t.mode)) continue;
                const path = paths.trail(s, takenKey(f));
                if (via && inner?.length) path.push(...paths.callInto(site, via, f.ref.display, inner));
                else path.push(paths.step(site, `${what} may fault on user memory, with ${f.ref.display} held`));
                path.push(
                  paths.step(site, `a fault on a mapping of this filesystem enters ${h.summary.name}() (${h.via})`),
                  ...t.witness,
                );
                const at = t.witness[t.witness.length - 1];
                const faults = via ? `${via}() may fault on user memory` : `${what} may fault on user memory`;
                const heldText = `${f.ref.display} (${f.ref.class ?? f.ref.kind}) is held ${modeWord(f.mode)}`;
                const enters = `${h.summary.name}() (${h.via})`;
                const takes = `${t.ref.display} ${modeWord(t.mode)}`;
                const tail = `a fault on a file of this filesystem enters ${enters}, which takes ${takes}`;
                const ref = { file: at.file, line: at.line };
                const msg = findingMessage`${LEAD}: ${faults} while ${heldText}, and ${tail} (${ref})`;
                report(f.ref.key, f.ref, site, msg, path, heldCause('fault', f), doubt ? [doubt] : []);
              }
            }
          }
        },
      },
    };
  },
};
