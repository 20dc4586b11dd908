/**
 * The transfer function: one Hoare triple per IR operation (`applyOp`) and per guarded edge
 * (`applyGuard`), made of the lock operations in transfer.ts and the call case in calls.ts. It never
 * reports by itself; the checker passes an `Observer` when it replays the final states, so the
 * fixpoint iterations stay silent.
 */
import { type LockFact, type State, aliasKeys, isHeld, mentions, pushTrail } from './domain';
import { type EdgeGuard, type Op, displayOfKey, rootIdentifier } from '../ir';
import {
  type Observer,
  type TransferContext,
  acquire,
  escape,
  fault,
  findFact,
  reclaim,
  release,
  sleep,
  sleepIf,
  withLock,
} from './transfer';
import { callSummary, indirectCall } from './calls';
import { evalGuards } from './guard';
import { blockingTest } from '../model';

/** Apply one operation; undefined means the path ends here (a call that does not return). */
export function applyOp(s: State, op: Op, ctx: TransferContext, obs?: Observer): State | undefined {
  switch (op.k) {
    case 'acquire':
      return acquire(s, op, ctx, obs);
    case 'release':
      return release(s, op, ctx, obs);
    case 'downgrade': {
      const hit = findFact(s, op.lock);
      if (!hit || !isHeld(hit[1])) return s;
      return withLock(
        s,
        hit[0],
        { ...hit[1], mode: 'shared' },
        { site: op.site, text: `downgrades ${op.lock.display} to shared` },
      );
    }
    case 'assert': {
      if (findFact(s, op.lock)) return s;
      obs?.requirement?.(op.lock, op.via, s, op.site);
      return withLock(
        s,
        op.lock.key,
        { ref: op.lock, status: 'caller', mode: op.mode ?? 'excl', via: op.via, site: op.site },
        { site: op.site, text: `${op.via}: ${op.lock.display} must be held by the caller` },
      );
    }
    case 'call':
      obs?.callSite?.(op.callee, s);
      return callSummary(s, op, ctx, obs);
    case 'icall':
      return indirectCall(s, op, ctx, obs);
    case 'assign':
      return assign(s, op, ctx);
    case 'noreturn':
      return undefined;
    case 'escape': {
      // a pointer stored in memory (`x->buf = p`) is no longer known apart from what memory holds
      const t = op.callee === '=' && op.roots ? { ...s, facts: s.facts.escaped(op.roots) } : s;
      return escape(t, op.keys, op.roots, ctx);
    }
    case 'handoff':
      return handoff(s, op);
    case 'release-handed':
      return releaseHanded(s, op);
    case 'await-release': {
      // held here: handed to the I/O this path started, whose completion unlocks it; the wait returns after that
      const hit = findFact(s, op.lock);
      if (!hit || !isHeld(hit[1])) return s;
      return withLock(
        s,
        hit[0],
        { ...hit[1], status: hit[1].status === 'caller' ? 'dropped' : 'released', inferred: true, releasedAt: op.site },
        {
          site: op.site,
          text: `waits until ${op.lock.display} is free (${op.via}): the I/O it was handed to unlocks it`,
        },
      );
    }
    case 'sleep':
      return op.gfp === undefined ? sleep(s, op.via, op.site, obs) : sleepUnderFlags(s, op, ctx, obs);
    case 'fault':
      return fault(s, `${op.via}()`, op.site, ctx, obs);
    case 'reclaim':
      return reclaim(s, `${op.via}()`, op.site, ctx, obs);
    case 'forbid': {
      const hit = findFact(s, op.lock);
      if (hit && isHeld(hit[1])) obs?.forbidden?.(op, hit[1], s);
      // the caller's lock dropped on this path: not held at this call, nothing to pass up
      else if (!hit || hit[1].status === 'released') obs?.forbidCall?.(op, s);
      return s;
    }
  }
}

/** `x = e`: forget the locks named through `x`, and carry a trylock's condition over to `x`. */
function assign(s: State, op: Extract<Op, { k: 'assign' }>, ctx: TransferContext): State {
  // a lock named through a variable that now points elsewhere can no longer be named:
  // forget it, and stay silent about that name in this function
  let locks: Map<string, LockFact> | undefined;
  for (const [k, f] of s.locks) {
    if (mentions(k, op.name)) {
      locks ??= new Map(s.locks);
      locks.delete(k);
      // handed over, then cleared (`p = new; new = NULL;`): still named through the pointer known equal to the
      // old value. Not for a cursor moving on (`bh = next`): a lock left behind by a walk stays unnamed
      const cleared = op.value !== undefined || op.constText !== undefined;
      const other = cleared ? aliasKeys(k, s.facts, op.name)[0] : undefined;
      if (other && !locks.has(other))
        locks.set(other, { ...f, ref: { ...f.ref, key: other, display: displayOfKey(other) } });
      else ctx.tainted.add(k);
    }
  }
  // `p = foo_alloc_path()`: what the callee says of the value and the object it returns (`{ret}->need_sem` set,
  // assumed of the call's text at the call) holds of `p`
  const facts = s.facts.assign(op.name, op.value, op.constText, op.sameTruth, op);
  // `ret = foo_trylock(x)`: a lock held if the call succeeded is now held if `ret` says so; `p = foo_new_locked(x)`:
  // the lock on the object it returned is named through `p`, and held if `p` (or `!IS_ERR(p)`) says so
  if (op.rhs) {
    const rhs = op.rhs;
    const rename = (t: string) => t.split(rhs).join(op.name);
    for (const [k, f] of s.locks) {
      if (!f.ifFact?.text.includes(rhs)) continue;
      locks ??= new Map(locks ?? s.locks);
      const ifFact = { text: rename(f.ifFact.text), value: f.ifFact.value };
      if (!k.includes(rhs)) {
        locks.set(k, { ...f, ifFact });
        continue;
      }
      locks.delete(k);
      const ref = { ...f.ref, key: rename(k), display: rename(f.ref.display) };
      locks.set(ref.key, { ...f, ref, ifFact });
    }
  }
  return locks || facts !== s.facts ? { locks: locks ?? s.locks, facts, trail: s.trail } : s;
}

/** The lock is handed to an owner that releases it later (`xfs_trans_ijoin`). */
function handoff(s: State, op: Extract<Op, { k: 'handoff' }>): State {
  const hit = findFact(s, op.lock);
  const text = `hands ${op.lock.display} to its owner (${op.via})`;
  if (hit && (hit[1].status === 'held' || hit[1].status === 'caller')) {
    return withLock(s, hit[0], { ...hit[1], status: 'handed', handedFrom: hit[1].status }, { site: op.site, text });
  }
  // taken (again) by a callee we cannot see (xfs_lock_inodes, xfs_trans_alloc_inode): held from here on,
  // owned by the transaction
  return withLock(
    s,
    hit ? hit[0] : op.lock.key,
    { ref: op.lock, status: 'handed', handedFrom: 'held', mode: 'excl', via: op.via, site: op.site },
    { site: op.site, text },
  );
}

/** The owner releases every lock handed to it (`xfs_trans_commit`). */
function releaseHanded(s: State, op: Extract<Op, { k: 'release-handed' }>): State {
  let locks: Map<string, LockFact> | undefined;
  for (const [k, f] of s.locks) {
    if (f.status !== 'handed') continue;
    locks ??= new Map(s.locks);
    locks.set(k, {
      ...f,
      status: f.handedFrom === 'caller' ? 'dropped' : 'released',
      inferred: true,
      releasedAt: op.site,
    });
  }
  return locks
    ? {
        locks,
        facts: s.facts,
        trail: pushTrail(s.trail, op.site.line, op.site.column, `${op.via} releases the locks handed to it`),
      }
    : s;
}

/** Apply an edge's guard; undefined means the edge is infeasible for this state. */
export function applyGuard(s: State, g: EdgeGuard | undefined, ctx: TransferContext): State | undefined {
  if (!g) return s;
  let cur = s;
  if (g.fact) {
    // `#ifdef FOO_DEBUG` of a switch the tree undefines and never defines
    const ifdef = /^defined\(([A-Z_][A-Z0-9_]*)\)$/.exec(g.fact.text);
    if (ifdef && g.fact.value && ctx.macros?.isOff(ifdef[1])) return undefined;
    // a lock taken through a pointer means the pointer is not NULL (`p->lock`, `*p`, `PG_locked(folio)`,
    // `BTRFS_I(inode)->lock`: the object it hangs off was reached through it)
    if (!g.fact.value && /^[A-Za-z_]\w*$/.test(g.fact.text)) {
      for (const [k, f] of cur.locks) {
        if (isHeld(f) && k !== g.fact.text && rootIdentifier(k) === g.fact.text) return undefined;
      }
    }
    const facts = cur.facts.assume(g.fact.text, g.fact.value);
    if (!facts) return undefined;
    // the branch decides a trylock-style callee's lock: taken on one side, not on the other
    let locks: Map<string, LockFact> | undefined;
    for (const [k, f] of cur.locks) {
      if (f.ifFact?.text !== g.fact.text) continue;
      locks ??= new Map(cur.locks);
      if (f.ifFact.value === g.fact.value) locks.set(k, { ...f, ifFact: undefined });
      else locks.delete(k);
    }
    cur = { locks: locks ?? cur.locks, facts, trail: cur.trail };
  }
  if (g.acquire) {
    // a trylock on a lock already held fails: its success edge is infeasible, and nothing is reported
    const next = acquire(cur, g.acquire, ctx);
    if (!next) return undefined;
    cur = next;
  } else if (g.note && g.site) {
    cur = { ...cur, trail: pushTrail(cur.trail, g.site.line, g.site.column, g.note) };
  }
  return cur;
}

/**
 * An allocation with flags from a variable (`kmalloc(n, gfp)`): it sleeps under the guard that the flags allow
 * blocking, unless the path has tested them already (`if (gfpflags_allow_blocking(gfp))`).
 */
function sleepUnderFlags(s: State, op: Op & { k: 'sleep' }, ctx: TransferContext, obs?: Observer): State {
  const open = evalGuards([{ test: blockingTest(op.gfp ?? ''), value: true }], [], s.facts, ctx.macros);
  if (!open) return s;
  if (!open.length) return sleep(s, op.via, op.site, obs);
  return sleepIf(s, `${op.via}(.., ${op.gfp})`, open, op.site, obs);
}
