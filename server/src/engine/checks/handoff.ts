/**
 * Context hand-offs: a lock still held when the function returns whose ownership was parked
 * outside the frame, so that whoever ends that context releases it. Not a leak at that exit:
 * - a non-owner primitive (`down_read_non_owner`): by the API's contract another task releases it;
 * - a record that the lock is held, stored in a field or array of an object the caller passed in
 *   (or `current`), the same object the lock hangs off: a lock-flags field (`ctx->ilock_flags |= ..`),
 *   a per-level lock array (`path->locks[level] = X_WRITE_LOCK`), unless this path cleared it again;
 * - the lock's own object attached to such an object here (`ac->grp = ...; mutex_lock(&ac->grp->m)`).
 * A lock nothing records stays a leak.
 */
import type { LockFact } from '../absint';
import { type FunctionIR, rootIdentifier } from '../ir';
import { NAME_PATTERNS } from '../model';
import type { ExitSeen } from './exits';

const NON_OWNER = NAME_PATTERNS.nonOwnerPrimitive;
const LOCK_RECORD = NAME_PATTERNS.lockRecordField;

/** A field or array element (`a->b`, `a.b`, `a[i]`), not a plain variable. */
const isPlace = (t: string): boolean => /->|\.|\[/.test(t);

/** The field's own name: `path->locks[level]` is `locks`, `sc->ilock_flags` is `ilock_flags`. */
function lastField(t: string): string {
  const bare = t.replace(/\[[^\]]*\]/g, '');
  const m = /([A-Za-z_]\w*)\s*$/.exec(bare);
  return m ? m[1] : '';
}

/** Per function: the places it stores something into, and whether a store may say "locked". */
interface Stores {
  /** Places in a lock-named field of an outliving object given a value that is not 0/false. */
  records: Set<string>;
  /** Every place in an outliving object assigned here. */
  places: Set<string>;
}

const cache = new WeakMap<FunctionIR, Stores>();

function storesOf(ir: FunctionIR): Stores {
  const hit = cache.get(ir);
  if (hit) return hit;
  const out: Stores = { records: new Set(), places: new Set() };
  for (const n of ir.nodes)
    for (const op of n.ops) {
      if (op.k !== 'assign' || !isPlace(op.name) || !outlives(ir, op.name)) continue;
      out.places.add(op.name);
      if (LOCK_RECORD.test(lastField(op.name)) && op.value !== false && op.constText !== '0') out.records.add(op.name);
    }
  cache.set(ir, out);
  return out;
}

/** Is the object reached from a parameter or `current`: does it outlive this call? */
function outlives(ir: FunctionIR, place: string): boolean {
  const root = rootIdentifier(place);
  return !!root && (root === 'current' || ir.params.includes(root));
}

/** Does this exit leave `key` (held, `fact`) parked in a context that releases it later? */
export function parkedAtExit(ir: FunctionIR, e: ExitSeen, key: string, fact: LockFact): boolean {
  if (NON_OWNER.test(fact.via)) return true;
  const bare = key.replace(/^\*/, '');
  const root = rootIdentifier(bare);
  if (!root || !outlives(ir, bare)) return false;
  const { records, places } = storesOf(ir);
  for (const r of records) {
    if (rootIdentifier(r) !== root) continue;
    // cleared again on this path (`path->locks[level] = 0;` after the unlock): not a record of it
    if (e.state.facts.get(r) === false || e.state.facts.get(`${r}==0`) === true) continue;
    return true;
  }
  for (const p of places) if (bare.startsWith(`${p}->`) || bare.startsWith(`${p}.`)) return true;
  return false;
}
