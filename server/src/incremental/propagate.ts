/**
 * The cross-file half of incremental analysis. After an edit changes what some functions do to locks
 * (ExternalIndex.update says which, and which functions in other files call them), those callers are
 * re-summarised against the live index, and their callers in turn while summaries keep changing: one
 * file per step, analysing only the functions concerned (and their callers in the same file). The
 * language server runs the steps (one event-loop turn each) and stops when typing resumes; the edited
 * file itself is left to its document's next analysis.
 */
import type { Analyzer } from '../engine';
import type { ExternalIndex } from './live-index';

/** Files re-summarised after one edit, at most. */
export const MAX_PROPAGATE = 64;

export class Propagation {
  /** Per file still to re-summarise, the functions in it that call one whose behaviour changed. */
  private readonly queue: Map<string, Set<string>>;
  private steps = 0;
  /** Some summary changed: the open files' results may have changed too. */
  changed = false;

  /**
   * `start`: ExternalIndex.update's `stale` for the edit in `origin`; `read`: a file's text (an open
   * document's, else the file's on disk), undefined when it cannot be read.
   */
  constructor(
    private readonly index: ExternalIndex,
    start: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly origin: string,
    private readonly read: (file: string) => string | undefined,
  ) {
    this.queue = new Map([...start].map(([file, names]) => [file, new Set(names)]));
  }

  /** Is there a next step (files left, and fewer than MAX_PROPAGATE done)? */
  get pending(): boolean {
    return this.queue.size > 0 && this.steps < MAX_PROPAGATE;
  }

  /** Re-summarise the next file's functions concerned; queue the other files calling what changed. */
  step(analyzer: Analyzer): void {
    this.steps++;
    const [file, names] = this.queue.entries().next().value as [string, Set<string>];
    this.queue.delete(file);
    const text = this.read(file);
    if (text === undefined) return;
    const r = analyzer.analyzeText(text, file, this.index, names);
    if (!r.summaries) return;
    const { stale, changed } = this.index.update(file, r.summaries);
    if (changed.length) this.changed = true;
    for (const [f, more] of stale) {
      if (f === this.origin) continue; // the edited file: its document is analysed again anyway
      const q = this.queue.get(f) ?? new Set<string>();
      for (const m of more) q.add(m);
      this.queue.set(f, q);
    }
  }
}
