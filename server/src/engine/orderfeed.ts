/**
 * Feeding the lock-order graph from the whole-tree analysis (each edge observed in a function, its two classes
 * named where the function is, lockorder.ts `lockClass`, with the lockdep subclass of the lock taken), and the
 * findings made over the whole graph (inversions, edges against a documented order).
 * A lock of a per-filesystem class held in VFS code (no filesystem of its own) while the chain goes through a
 * filesystem's ops table (`->setattr resolves to ext4_setattr`) is that filesystem's: the object the VFS locked
 * is the one it hands to the filesystem's method.
 */
import * as path from 'node:path';
import type { CheckOptions } from './checks';
import { ANY_FS, type LockOrder, documentedViolations, lockClass } from './checks';
import type { FunctionIR, LockRef } from './ir';
import { type Finding, type FindingKind, type PathStep, type Settings, applySeverity, kindInfo } from './model';
import {
  type ClassEnv,
  type Macros,
  type StoredOrigins,
  type TypeTable,
  bindFs,
  fsOfDir,
  orderClassOf,
} from './syntax';

/** The filesystem of the first ops-table method the chain enters, if any. */
export function enteredFs(steps: readonly PathStep[]): string | undefined {
  for (let i = 0; i < steps.length - 1; i++) {
    if (!/^->\w+ resolves to /.test(steps[i].note)) continue;
    const fs = fsOfDir(path.posix.dirname(steps[i + 1].file));
    if (fs) return fs;
  }
  return undefined;
}

/** What the tree knows that decides a lock's class where it is seen (project.ts). */
export interface OrderClassContext {
  macros: Macros;
  types: TypeTable;
  stored?: StoredOrigins;
  expand?: ClassEnv['expand'];
}

export function orderSink(
  f: { file: string; dir: string; ir: FunctionIR; vars: ReadonlyMap<string, string> },
  lockOrder: LockOrder,
  ctx: OrderClassContext,
): NonNullable<CheckOptions['order']> {
  const value = (t: string) => ctx.macros.value(t);
  // a filesystem's own structure: a lock in one embedded in a field is that field's (lockorder.ts)
  const fsOwn = (st: string) => (ctx.types.dirs.get(st) ?? '').startsWith('fs/');
  // the class the function gives a lock a callee took on what this function passed it
  const env = { ir: f.ir, vars: f.vars, types: ctx.types, stored: ctx.stored, expand: ctx.expand };
  // (every edge asks for both its locks: once per lock a function sees is enough, the walk reads its whole IR)
  const refined = new Map<string, string | undefined>();
  const refine = (ref: LockRef) => {
    const key = `${ref.symbolic ? 1 : 0}${ref.kind}\u0000${ref.class ?? ''}\u0000${ref.base ?? ''}\u0000${ref.key}`;
    if (!refined.has(key)) {
      const o = orderClassOf(ref, env);
      refined.set(key, o ? bindFs(o, fsOfDir(f.dir)) : undefined);
    }
    return refined.get(key);
  };
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

/** The kinds found over the whole lock-order graph: inversions, and edges against a documented order. */
const GRAPH_KINDS = ['lock-order-inversion', 'documented-order-violation'] as const;

/** Is kind `k` on: as the user's `severity` setting says, else as its default says (off kinds stay off). */
const kindOn = (settings: Settings, k: FindingKind) =>
  (settings.severity[k] ?? (kindInfo(k).off ? 'off' : kindInfo(k).severity)) !== 'off';

export function graphKindsOn(settings: Settings): boolean {
  return GRAPH_KINDS.some((k) => kindOn(settings, k));
}

/** The graph's findings (those of its kinds that are on) among the files `report` accepts, at the user's severity. */
export function graphFindings(order: LockOrder, settings: Settings, report: (file: string) => boolean): Finding[] {
  const out = kindOn(settings, 'lock-order-inversion') ? order.inversions(report) : [];
  if (kindOn(settings, 'documented-order-violation')) out.push(...documentedViolations(order.witnesses(), report));
  return applySeverity(out, settings.severity);
}
