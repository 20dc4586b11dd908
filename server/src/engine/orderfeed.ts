/**
 * Feeding the lock-order graph from the whole-tree analysis: each edge observed in a function, its two
 * classes named (lockorder.ts `lockClass`) where the function is, with the lockdep subclass of the lock taken.
 * A lock of a per-filesystem class held in VFS code (no filesystem of its own) while the chain goes through a
 * filesystem's ops table (`->setattr resolves to ext4_setattr`) is that filesystem's: the object the VFS locked
 * is the one it hands to the filesystem's method.
 */
import * as path from 'node:path';
import type { CheckOptions } from './checks';
import { ANY_FS, type LockOrder, lockClass } from './checks';
import type { FunctionIR, LockRef } from './ir';
import type { PathStep } from './model';
import { fsOfDir } from './syntax';

/** The filesystem of the first ops-table method the chain enters, if any. */
export function enteredFs(steps: readonly PathStep[]): string | undefined {
  for (let i = 0; i < steps.length - 1; i++) {
    if (!/^->\w+ resolves to /.test(steps[i].note)) continue;
    const fs = fsOfDir(path.posix.dirname(steps[i + 1].file));
    if (fs) return fs;
  }
  return undefined;
}

export function orderSink(
  f: { file: string; dir: string; ir: FunctionIR },
  lockOrder: LockOrder,
  value?: (text: string) => number | undefined,
  fsOwn?: (struct: string) => boolean,
  refine?: (ref: LockRef) => string | undefined,
): NonNullable<CheckOptions['order']> {
  return ({ held, taken, site, path: p, subclass }) => {
    let from = lockClass(held.ref, f.dir, { subclass: held.subclass, value, fsOwn, refine });
    const to = lockClass(taken, f.dir, { subclass, value, fsOwn, refine });
    if (!from || !to || from === to) return;
    if (from.includes(ANY_FS)) {
      const fs = enteredFs(p);
      if (fs) from = from.split(ANY_FS).join(fs);
    }
    if (from === to) return;
    lockOrder.add({
      from,
      to,
      held: held.ref.display,
      taken: taken.display,
      file: f.file,
      fn: f.ir.name,
      line: site.line,
      column: site.column,
      path: p,
    });
  };
}
