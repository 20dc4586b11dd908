/** The state a function starts in: locks its callers hold by annotation or by the VFS contract. */
import { type FunctionIR, type OpsSlot, normaliseExpr } from '../ir';
import { vfsEntry } from '../model';
import { type LockFact, initialState } from './domain';

/** A lock the caller holds on entry by contract (the VFS's locking rules). */
export interface EntryFact {
  key: string;
  display: string;
  mode: 'excl' | 'shared';
  kind: LockFact['ref']['kind'];
  class: string;
  via: string;
}

/** Locks the caller holds on entry: __releases/__must_hold annotations, and contract locks (VFS ops). */
export function entryStateOf(ir: FunctionIR, contract: EntryFact[] = []) {
  const locks = new Map<string, LockFact>();
  for (const c of contract) {
    // inferred: the function may legitimately release it (->read_folio unlocks its folio when done)
    locks.set(c.key, {
      ref: { key: c.key, display: c.display, class: c.class, kind: c.kind, recursive: false },
      status: 'caller',
      mode: c.mode,
      via: c.via,
      inferred: true,
    });
  }
  for (const keys of [...ir.annotations.releases, ...ir.annotations.mustHold]) {
    const key = keys[0];
    const display = key.startsWith('*') ? key.slice(1) : `&${key}`;
    for (const k of keys) {
      locks.set(k, {
        ref: { key: k, display, class: null, kind: 'other', recursive: false },
        status: 'caller',
        mode: 'excl',
        via: ir.annotations.releases.includes(keys) ? '__releases' : '__must_hold',
      });
    }
  }
  return initialState(locks);
}

/** The locks the VFS holds when it calls a function through the ops-table slots it is installed in. */
export function vfsEntryLocks(ir: FunctionIR, slots: readonly OpsSlot[]): EntryFact[] {
  const out: EntryFact[] = [];
  for (const slot of slots) {
    const e = vfsEntry(slot.type, slot.field, ir.params.length);
    if (!e) continue;
    for (const l of e.locks) {
      const key = normaliseExpr(l.lock.replace(/\{(\d+)\}/g, (_m, i: string) => `(${ir.params[Number(i)] || '?'})`));
      out.push({
        key: ir.canon ? ir.canon(key) : key,
        display: key.startsWith('PG_locked') ? key : `&${key}`,
        mode: l.mode,
        kind: l.kind,
        class: l.class,
        via: `VFS: ->${slot.field} is called with it held`,
      });
    }
  }
  return out;
}
