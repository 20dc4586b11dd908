/**
 * Naming the locks a flag-selecting primitive designates (`xfs_ilock(ip, XFS_ILOCK_EXCL | XFS_IOLOCK_SHARED)`),
 * shared by the CFG builder and by summaries evaluated at a call site with constant arguments, so that
 * a wrapper `foo_ilock(ip, flags) { xfs_ilock(ip, flags); }` called with XFS_ILOCK_EXCL names ip->i_lock.
 */
import type { LockPrimitive, Mode } from '../model';
import type { LockRef } from './ir';
import { applyTemplate, displayOfKey, normaliseExpr } from './lockname';

/** The locks a constant flag set selects, or undefined when no bit is a known constant. */
export function flagLocks(
  prim: LockPrimitive,
  objText: string,
  flagsText: string,
): { ref: LockRef; mode: Mode }[] | undefined {
  if (!prim.flags) return undefined;
  const out: { ref: LockRef; mode: Mode }[] = [];
  for (const b of normaliseExpr(flagsText)
    .split('|')
    .map((s) => s.replace(/[()]/g, ''))) {
    const bit = prim.flags.bits[b];
    if (!bit) continue;
    const key = applyTemplate(bit.lock, objText);
    out.push({
      ref: { key, display: displayOfKey(key), class: bit.class ?? null, kind: bit.kind, recursive: false },
      mode: bit.mode,
    });
  }
  return out.length ? out : undefined;
}

/** A lock chosen by flags we cannot evaluate here; it keeps the texts so a caller can evaluate them. */
export function symbolicLock(prim: LockPrimitive, objText: string, flagsText: string): LockRef {
  const obj = normaliseExpr(objText);
  const flags = normaliseExpr(flagsText);
  return {
    key: `${obj}[${flags}]`,
    display: `${prim.name.replace(/_nowait$/, '')}(${obj}, ${flags})`,
    class: null,
    kind: prim.kind,
    recursive: false,
    symbolic: { prim: prim.name, obj, flags },
  };
}
