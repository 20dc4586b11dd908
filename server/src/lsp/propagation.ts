/**
 * Running incremental/'s Propagation in the server: after an edit changed what some functions do to
 * locks, their callers in other files are re-summarised one file per event-loop turn (an open file's
 * current text, else the file on disk), stopping when typing resumes or the tree is re-indexed; when
 * some summary changed, the open files in the tree are analysed again now, not at their next edit.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Propagation } from '../incremental';
import type { AnalyzerHost } from './analyzer';
import type { Documents } from './documents';
import type { Indexing } from './indexing';
import type { Scheduler } from './scheduler';
import type { Workspace } from './workspace';

export class Propagator {
  constructor(
    private readonly engine: AnalyzerHost,
    private readonly indexing: Indexing,
    private readonly documents: Documents,
    private readonly scheduler: Scheduler,
    private readonly workspace: Workspace,
  ) {}

  /** Re-summarise `stale` (per file, the functions calling one whose behaviour changed in `origin`), and on. */
  async run(stale: Map<string, Set<string>>, origin: string): Promise<void> {
    const index = this.indexing.index;
    const root = this.workspace.indexRoot;
    if (!index || !root || !this.engine.analyzer) return;
    const p = new Propagation(index, stale, origin, (file) => this.read(root, file));
    const edits = this.scheduler.edits;
    while (p.pending) {
      await new Promise<void>((r) => setImmediate(r));
      if (this.indexing.index !== index) return; // re-indexed meanwhile
      if (this.scheduler.edits !== edits) break; // typing goes on: the next analysis starts its own
      const analyzer = this.engine.analyzer;
      if (!analyzer) return;
      p.step(analyzer);
    }
    // open files calling what changed (the edited one too) redo those functions now, not at their next edit
    if (p.changed) this.scheduler.refreshTree();
  }

  /** A tree file's text: the open document's, else the file's on disk (undefined when it cannot be read). */
  private read(root: string, file: string): string | undefined {
    const open = this.documents.inTree().find((d) => d.file === file);
    try {
      return open ? open.doc.getText() : fs.readFileSync(path.join(root, file), 'utf8');
    } catch {
      return undefined;
    }
  }
}
