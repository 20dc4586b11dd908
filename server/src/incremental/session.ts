/**
 * The state an open document carries from one analysis to the next. The session keeps the document's
 * syntax tree and is told every edit (LSP ranges), which it applies to the tree (`tree.edit`) so the
 * next parse reuses the unchanged subtrees, and records as line edits (lines.ts). It also keeps each
 * function's last result (its summary, hover states, findings), keyed by the function's exact text,
 * and what decides whether those still hold (reuse.ts): the function names, the functions that touched
 * locks, the tree index analysed against and its change mark. A full-text change starts over. The facts
 * the call query gives of each definition are kept by text too (segments.ts), so an edit queries only
 * what it changed.
 */
import { Edit, type Tree } from 'web-tree-sitter';
import type { FunctionOutcome, SegmentCache } from '../engine';
import { type LineEdit, mapLine, unmoved } from './lines';

/** A function's last result, in the lines of the text last analysed. */
export interface CachedFunction extends FunctionOutcome {
  /** The first and last line of this file the result mentions (its own, and same-file callees' in witness paths). */
  lines: [number, number];
}

/** One text change as LSP gives it: 0-based positions in the text before it, UTF-16 columns. */
export interface TextChange {
  start: { line: number; character: number };
  end: { line: number; character: number };
  /** Offsets of start and end in the text before the change. */
  startOffset: number;
  endOffset: number;
  text: string;
}

/**
 * A whole-text change (a client without incremental sync) as the ranged change it amounts to: the
 * common prefix and suffix kept, both cut back to line starts, so that lines inserted or deleted
 * move the lines after them instead of touching them.
 */
export function rangedChange(before: string, after: string): { startOffset: number; endOffset: number; text: string } {
  const most = Math.min(before.length, after.length);
  let p = 0;
  while (p < most && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  p = before.lastIndexOf('\n', p - 1) + 1;
  let s = 0;
  while (s < most - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  const lineStart = (t: string, at: number) => at === 0 || t.charCodeAt(at - 1) === 10;
  if (s > 0 && !(lineStart(before, before.length - s) && lineStart(after, after.length - s))) {
    const nl = before.indexOf('\n', before.length - s);
    s = nl < 0 ? 0 : before.length - nl - 1;
  }
  return { startOffset: p, endOffset: before.length - s, text: after.slice(p, after.length - s) };
}

export class DocumentSession {
  /** The tree of the text last analysed, edited since; undefined after a full-text change. */
  tree?: Tree;
  /** What each stretch of the text last analysed calls (segments.ts). */
  segments: SegmentCache = { defs: new Map(), gaps: new Map() };
  /** Per function text: its last result, in the lines of the text last analysed. */
  functions = new Map<string, CachedFunction>();
  /** The function names of the text last analysed, and the index it was analysed against. */
  names?: string;
  /** The key of the file's type table and macros in the last analysis (engine/file.ts environmentKey). */
  environment?: string;
  /** The same-file functions that touched locks (directly or through helpers) in the last analysis. */
  relevant?: ReadonlySet<string>;
  index?: unknown;
  /** The index's change mark when it was last analysed against (ExternalIndex.mark). */
  mark?: number;
  /** Edits since the last analysis, as (first changed row, last old row, last new row), 0-based. */
  private edits: LineEdit[] = [];
  /** Counts for tests and the benchmark: functions reused and analysed in the last analysis. */
  last = { reused: 0, analysed: 0, incrementalParse: false };

  /** A ranged change: edit the tree and remember how lines moved. */
  change(c: TextChange): void {
    const lines = c.text.split('\n');
    const newEnd = {
      row: c.start.line + lines.length - 1,
      column: lines.length === 1 ? c.start.character + c.text.length : lines[lines.length - 1].length,
    };
    if (this.tree) {
      this.tree.edit(
        new Edit({
          startIndex: c.startOffset,
          oldEndIndex: c.endOffset,
          newEndIndex: c.startOffset + c.text.length,
          startPosition: { row: c.start.line, column: c.start.character },
          oldEndPosition: { row: c.end.line, column: c.end.character },
          newEndPosition: newEnd,
        }),
      );
    }
    // whole lines inserted or deleted (at column 0, ending in a newline): the line at the end only moves
    const whole = c.start.character === 0 && c.end.character === 0 && (c.text === '' || c.text.endsWith('\n'));
    this.edits.push({
      start: c.start.line,
      oldEnd: whole ? c.end.line - 1 : c.end.line,
      newEnd: whole ? newEnd.row - 1 : newEnd.row,
    });
  }

  /** The whole text was replaced: nothing carries over. */
  replaced(): void {
    this.dispose();
    this.functions.clear();
    this.segments = { defs: new Map(), gaps: new Map() };
    this.names = undefined;
    this.environment = undefined;
    this.relevant = undefined;
  }

  /** Where a 1-based line of the last analysed text is now; undefined when an edit touched it. */
  mapLine(line: number): number | undefined {
    return mapLine(this.edits, line);
  }

  /** The edits since the last analysis. */
  get pending(): readonly LineEdit[] {
    return this.edits;
  }

  /** Did no edit since the last analysis move or touch lines first..last? */
  unmoved(first: number, last: number): boolean {
    return unmoved(this.edits, first, last);
  }

  /** Called when an analysis used the edits: the line map starts again from this text. */
  settled(tree: Tree | undefined): void {
    if (this.tree && this.tree !== tree) this.tree.delete();
    this.tree = tree;
    this.edits = [];
  }

  dispose(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.edits = [];
  }
}
