/**
 * Incremental analysis of one open document. The session keeps the document's syntax tree and is
 * told every edit (LSP ranges), which it applies to the tree (`tree.edit`) so the next parse reuses
 * the unchanged subtrees, and records as a line map. It also keeps each function's last result (its
 * summary, hover states, findings), keyed by the function's exact text: a function whose text did not
 * change, none of whose callees was analysed again (in this file) or changed its behaviour (in another,
 * by an edit there or its propagation), and whose results' lines all map through the edits, is not
 * analysed again; its results are moved to their new lines. Functions added, removed or renamed redo
 * their callers; a changed function installed in an ops table redoes the functions whose calls
 * through pointers went through its field. A full-text change or a new tree index starts over. The facts the call query gives of each
 * definition are kept by text too (segments.ts), so an edit queries only what it changed.
 */
import { Edit, type Tree } from 'web-tree-sitter';
import type { FunctionInfo } from './file';
import type { SegmentCache } from './syntax';
import type { Summary } from './absint';
import type { FileStats, Finding, PathStep } from './model';

export interface CachedFunction {
  /** The first and last line of this file the result mentions (its own, and same-file callees' in witness paths). */
  lines: [number, number];
  summary?: Summary;
  info: FunctionInfo;
  findings: Finding[];
  lockSitesModelled: number;
  unmodelled: FileStats['unmodelled'];
  stateLimit: boolean;
  /** The ops-table fields its calls through pointers were resolved through (ExternalIndex.changesSince). */
  fields: string[];
}

/** Whole rows an edit replaced: rows start..oldEnd of the text before became start..newEnd (0-based). */
export interface LineEdit { start: number; oldEnd: number; newEnd: number }

/** Where 1-based `line` of a text is after `edits`; a line an edit touched goes to where that edit starts. */
export function mapThrough(edits: readonly LineEdit[], from: number, line: number): number {
  let row = line - 1;
  for (let i = from; i < edits.length; i++) {
    const e = edits[i];
    if (row < e.start) continue;
    if (row <= e.oldEnd) { row = e.start; continue; }
    row += e.newEnd - e.oldEnd;
  }
  return row + 1;
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
  /** The same-file functions that touched locks (directly or through helpers) in the last analysis. */
  relevant?: Set<string>;
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
    const newEnd = { row: c.start.line + lines.length - 1, column: lines.length === 1 ? c.start.character + c.text.length : lines[lines.length - 1].length };
    if (this.tree) {
      this.tree.edit(new Edit({
        startIndex: c.startOffset, oldEndIndex: c.endOffset, newEndIndex: c.startOffset + c.text.length,
        startPosition: { row: c.start.line, column: c.start.character },
        oldEndPosition: { row: c.end.line, column: c.end.character },
        newEndPosition: newEnd,
      }));
    }
    // whole lines inserted or deleted (at column 0, ending in a newline): the line at the end only moves
    const whole = c.start.character === 0 && c.end.character === 0 && (c.text === '' || c.text.endsWith('\n'));
    this.edits.push({ start: c.start.line, oldEnd: whole ? c.end.line - 1 : c.end.line, newEnd: whole ? newEnd.row - 1 : newEnd.row });
  }

  /** The whole text was replaced: nothing carries over. */
  replaced(): void {
    this.dispose();
    this.functions.clear();
    this.segments = { defs: new Map(), gaps: new Map() };
    this.names = undefined;
    this.relevant = undefined;
  }

  /** Where a 1-based line of the last analysed text is now; undefined when an edit touched it. */
  mapLine(line: number): number | undefined {
    let row = line - 1;
    for (const e of this.edits) {
      if (row < e.start) continue;
      if (row <= e.oldEnd) return undefined;
      row += e.newEnd - e.oldEnd;
    }
    return row + 1;
  }

  /** The edits since the last analysis. */
  get pending(): readonly LineEdit[] { return this.edits; }

  /** Did no edit since the last analysis move or touch lines first..last? */
  unmoved(first: number, last: number): boolean {
    return this.edits.every((e) => e.start > last - 1 || (e.oldEnd < first - 1 && e.newEnd === e.oldEnd));
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

/** An object whose `line` is a line of `file` (a step in another file names its file). */
function ofFile(o: Record<string, unknown>, file: string): boolean {
  return typeof o.line === 'number' && (typeof o.file !== 'string' || o.file === file);
}

/** "already held since line 9": the checkers name lines of the function itself in messages and notes. */
const LINE_IN_TEXT = /\bline (\d+)\b/g;
const isText = (k: string) => k === 'message' || k === 'note';

/** The first and last line of `file` that `value` mentions (as moveLines sees them). */
export function lineRange(value: unknown, file: string, from: number, to: number): [number, number] {
  let lo = from;
  let hi = to;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { for (const x of v) walk(x); return; }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const mine = ofFile(o, file);
    for (const k in o) {
      const x = o[k];
      if (mine && (k === 'line' || k === 'endLine') && typeof x === 'number') { lo = Math.min(lo, x); hi = Math.max(hi, x); }
      else if (mine && isText(k) && typeof x === 'string') {
        for (const m of x.matchAll(LINE_IN_TEXT)) { lo = Math.min(lo, Number(m[1])); hi = Math.max(hi, Number(m[1])); }
      } else if (x && typeof x === 'object') walk(x);
    }
  };
  walk(value);
  return [lo, hi];
}

/**
 * A copy of `value` with every `line`/`endLine` of this file moved through `map` (objects naming another
 * file keep theirs), and the "line N" in their messages and notes; undefined when some line of this file
 * was inside an edit.
 */
export function moveLines<T>(value: T, file: string, map: (line: number) => number | undefined): T | undefined {
  let lost = false;
  // structural sharing: a part with nothing to move (most witness steps are in other files) is kept as it is
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const x = walk(v[i]);
        if (x !== v[i]) { out ??= v.slice(); out[i] = x; }
      }
      return out ?? v;
    }
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    const mine = ofFile(o, file);
    for (const k in o) {
      const x = o[k];
      let y: unknown = x;
      if (mine && (k === 'line' || k === 'endLine') && typeof x === 'number') {
        const m = map(x);
        if (m === undefined) lost = true; else y = m;
      } else if (mine && isText(k) && typeof x === 'string') {
        y = x.includes('line ') ? x.replace(LINE_IN_TEXT, (all, n: string) => {
          const m = map(Number(n));
          if (m === undefined) lost = true;
          return m === undefined ? all : `line ${m}`;
        }) : x;
      } else if (x && typeof x === 'object') y = walk(x);
      if (y !== x) { out ??= { ...o }; out[k] = y; }
    }
    return out ?? o;
  };
  const moved = walk(value) as T;
  return lost ? undefined : moved;
}

/**
 * moveLines for a function's cached result. A summary's lines are all in its witness paths, which
 * hold most of a file's results by far (every lock a callee takes, with its path through other
 * files); walking only those paths, and only their steps in this file, is what keeps an edit above
 * many functions cheap. Must agree with moveLines on every summary (a test holds it to that).
 */
export function moveCached(c: CachedFunction, file: string, map: (line: number) => number | undefined): CachedFunction | undefined {
  const summary = c.summary ? moveSummary(c.summary, file, map) : undefined;
  if (c.summary && !summary) return undefined;
  const info = moveLines(c.info, file, map);
  const findings = moveLines(c.findings, file, map);
  if (!info || !findings) return undefined;
  return { ...c, ...(summary ? { summary } : {}), info, findings };
}

export function moveSummary(s: Summary, file: string, map: (line: number) => number | undefined): Summary | undefined {
  let lost = false;
  const steps = (w: PathStep[]): PathStep[] => {
    let out: PathStep[] | undefined;
    for (let i = 0; i < w.length; i++) {
      const st = w[i];
      if (st.file !== file && typeof st.file === 'string') continue;
      const moved = moveLines(st, file, map);
      if (!moved) { lost = true; return w; }
      if (moved !== st) { out ??= w.slice(); out[i] = moved; }
    }
    return out ?? w;
  };
  const each = <T extends { witness: PathStep[] }>(list: T[]): T[] => {
    let out: T[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const w = steps(list[i].witness);
      if (w !== list[i].witness) { out ??= list.slice(); out[i] = { ...list[i], witness: w }; }
    }
    return out ?? list;
  };
  const acquires = each(s.acquires);
  const requires = each(s.requires);
  const forbidden = each(s.forbidden);
  const deferred = each(s.deferred);
  const sleeps = s.sleeps ? steps(s.sleeps) : undefined;
  if (lost) return undefined;
  if (acquires === s.acquires && requires === s.requires && forbidden === s.forbidden && deferred === s.deferred && sleeps === s.sleeps) return s;
  return { ...s, acquires, requires, forbidden, deferred, ...(sleeps ? { sleeps } : {}) };
}
