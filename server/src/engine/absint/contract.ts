/**
 * The VFS contract where an op returns: locking.rst's "yes, unlocks" ops (->writepage, ->read_folio,
 * ->write_end) return with the page or folio they were given unlocked, synchronously or through the I/O
 * completion lockscope does not follow. A call through such a field releases its argument's lock; a function
 * installed in such a slot releases it in its summary, whatever its body shows (the contract wins over a body
 * that leaves the unlock to a bio's end_io, or unlocks on some paths only).
 */
import { type FunctionIR, type LockRef, type OpsSlot, type Site, normaliseExpr } from '../ir';
import { type EntryLock, vfsExit } from '../model';
import type { State } from './domain';
import { relativise } from './summarise';
import { type Observer, type Summary, type TransferContext, release } from './transfer';

/** A contract template (`PG_locked({0})`) with the texts of the arguments; undefined when one is missing. */
function named(template: string, args: readonly (string | undefined)[]): string | undefined {
  let missing = false;
  const out = template.replace(/\{(\d+)\}/g, (_m, i: string) => {
    const a = args[Number(i)];
    if (a === undefined) missing = true;
    return `(${a ?? '?'})`;
  });
  return missing ? undefined : normaliseExpr(out);
}

function refOf(key: string, l: EntryLock): LockRef {
  return {
    key,
    display: key.startsWith('PG_locked') ? key : `&${key}`,
    class: l.class,
    kind: l.kind,
    recursive: false,
  };
}

/** The summary of a function installed in an unlocking slot releases what the contract says it does. */
export function contractEffects(ir: FunctionIR, slots: readonly OpsSlot[], sum: Summary): void {
  for (const slot of slots) {
    for (const l of vfsExit(slot.type, slot.field, ir.params.length) ?? []) {
      const raw = named(l.lock, ir.params);
      if (raw === undefined) continue;
      const key = ir.canon ? ir.canon(raw) : raw;
      const template = relativise(key, ir) ?? l.lock;
      sum.conditional = sum.conditional.filter((t) => t !== template);
      sum.effects = sum.effects.filter((e) => e.template !== template);
      sum.effects.push({ template, ref: refOf(key, l), delta: -1, mode: l.mode });
    }
  }
}

/** A call through an unlocking field of a known ops struct (`mapping->a_ops->writepage(page, wbc)`). */
export function contractReleases(
  s: State,
  field: string,
  recvType: string | undefined,
  args: readonly string[],
  site: Site,
  ctx: TransferContext,
  obs?: Observer,
): State {
  let cur = s;
  for (const l of vfsExit(recvType, field, args.length) ?? []) {
    const raw = named(l.lock, args);
    if (raw === undefined) continue;
    const key = ctx.canon ? ctx.canon(raw) : raw;
    const op = { k: 'release' as const, lock: refOf(key, l), via: `->${field}`, site };
    cur = release(cur, op, ctx, obs, `->${field}`);
  }
  return cur;
}
