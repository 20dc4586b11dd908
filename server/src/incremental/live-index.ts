/**
 * The tree index as edits change it (the language server's): a TreeView whose summaries follow the
 * open files. An edited file's fresh summaries replace the index's (`update`), which logs the
 * functions whose behaviour changed (`mark`, `changesSince`: what a document analysed against an
 * earlier mark must redo); the lines of an edited file in other files' summaries (witness paths that
 * come into it) are moved through its edits when next served (`linesMoved`).
 */
import * as path from 'node:path';
import { type Summary, TreeView, busy } from '../engine';
import { type Deferred, type IndirectTarget, deferredHops } from '../engine/absint';
import { type LineEdit, mapLine } from './lines';
import { moveSummary } from './move';

export class ExternalIndex extends TreeView {
  /** Per edited file, its edits since the index was made; per summary, how many of each it reflects. */
  private readonly moved = new Map<string, LineEdit[]>();
  private readonly seen = new Map<number, Map<string, number>>();
  /** Every summary `update` changed, in order, with the ops-table fields the function is installed in. */
  private readonly log: { file: string; name: string; fields: string[] }[] = [];

  /** A summary, its lines in edited open files brought up to date (see `linesMoved`). */
  override summary(id: number): Summary | undefined {
    const s = this.data.summaries[id];
    if (!s || !this.moved.size) return s ?? undefined;
    let seen = this.seen.get(id);
    let out = s;
    for (const [file, log] of this.moved) {
      const at = seen?.get(file) ?? 0;
      if (at === log.length) continue;
      out = moveSummary(out, file, (l) => mapLine(log, l, 'to-start', at)) ?? out;
      (seen ??= new Map()).set(file, log.length);
    }
    if (seen) this.seen.set(id, seen);
    if (out !== s) this.data.summaries[id] = out;
    return out;
  }

  /**
   * An open file was edited (`edits` turned the text last analysed against this index into the
   * current one). Witness paths reach into it from other files' summaries (qgroup.c's summary goes
   * through inode.c), at the lines the file had when they were made: they are moved through the
   * edits when next served, so that paths show the lines the developer sees, and an incremental
   * analysis sees the same lines as a fresh one.
   */
  linesMoved(file: string, edits: readonly LineEdit[]): void {
    if (!edits.length) return;
    const log = this.moved.get(file) ?? [];
    log.push(...edits);
    this.moved.set(file, log);
  }

  /**
   * An edited file's fresh summaries replace the index's. Returns, per other file, the functions in it
   * that call one whose behaviour changed (their summaries may change too), and the names that changed.
   */
  update(file: string, fresh: ReadonlyMap<string, Summary>): { stale: Map<string, Set<string>>; changed: string[] } {
    const stale = new Map<string, Set<string>>();
    const changed: string[] = [];
    for (const [name, sum] of fresh) {
      const id = this.linker.resolve(file, name);
      if (id === undefined || this.data.fns[id].file !== file) continue;
      const before = this.data.summaries[id] ?? null; // (not moved: what callers see has no lines)
      const after = busy(sum) ? sum : null;
      if (summaryKey(before) === summaryKey(after)) {
        // the same behaviour; its witness paths are the current text's now
        if (after && before !== after) {
          this.data.summaries[id] = after;
          this.seen.set(id, this.positions());
        }
        continue;
      }
      this.data.summaries[id] = after;
      this.seen.set(id, this.positions());
      changed.push(name);
      this.log.push({ file, name, fields: this.linker.slotsOf(id).map((slot) => slot.field) });
      for (const c of this.linker.callers[id]) {
        const caller = this.data.fns[c];
        if (caller.file === file) continue;
        const names = stale.get(caller.file) ?? new Set<string>();
        names.add(caller.name);
        stale.set(caller.file, names);
      }
    }
    return { stale, changed };
  }

  /**
   * Where a call through a function pointer inside a callee's summary (`d`) may go when the callee is
   * called from `caller` in `file` (tree-relative; undefined outside the tree): read-only, for hover.
   */
  indirectTargets(file: string | undefined, caller: string, d: Deferred): IndirectTarget[] {
    const from = { id: file ? this.idOf(file, caller) : undefined, dir: file ? path.posix.dirname(file) : '.' };
    // as far below `caller` as the analysis of `caller` sees it: the callee's call, and its witness's calls
    return this.linker.indirect(d.field, from, Math.max(1, deferredHops(d)), (id) => this.summary(id), d.recvType)
      .targets;
  }

  /** Made from summaries served now: up to date with every edit so far. */
  private positions(): Map<string, number> {
    return new Map([...this.moved].map(([f, log]) => [f, log.length]));
  }

  /** A mark in the changes `update` made: `changesSince` tells what changed after it. */
  get mark(): number {
    return this.log.length;
  }

  /**
   * The functions outside `file` whose behaviour changed since `mark`, by name, and the ops-table
   * fields they are installed in (a call through one of those may reach them).
   */
  changesSince(file: string, mark: number): { names: Set<string>; fields: Set<string> } {
    const names = new Set<string>();
    const fields = new Set<string>();
    for (let i = mark; i < this.log.length; i++) {
      const c = this.log[i];
      if (c.file === file) continue;
      names.add(c.name);
      for (const f of c.fields) fields.add(f);
    }
    return { names, fields };
  }
}

/** What of a summary callers see (witness paths aside). */
function summaryKey(s: Summary | null | undefined): string {
  if (!s) return '';
  return JSON.stringify([
    s.acquires.map((a) => [a.template ?? a.ref.class, a.when]),
    s.effects.map((e) => [e.template, e.delta, e.when, e.handed, e.guard]),
    s.deferred.map((d) => [d.field, d.args]),
    s.forbidden.map((f) => [f.call, f.template]),
    s.requires.map((r) => [r.template, r.when]),
    !!s.sleeps,
    (s.sleepsIf ?? []).map((w) => w.when),
    !!s.faults,
    !!s.reclaims,
    (s.reclaimAcquires ?? []).map((a) => a.template ?? a.ref.class),
    s.conditional,
    s.retFacts ?? null,
    s.stores ?? null,
  ]);
}
