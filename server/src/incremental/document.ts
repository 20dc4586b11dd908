/**
 * An open document analysed again after edits, reusing what still holds. A function whose text did
 * not change, none of whose callees was analysed again (in this file) or changed its behaviour (in
 * another, by an edit there or its propagation), and whose results' lines all map through the edits,
 * is not analysed again: its last result is moved to its new lines. Functions added, removed or
 * renamed, or that started or stopped touching locks, redo their callers; a changed function installed
 * in an ops table redoes the functions whose calls through pointers went through its field. A new tree
 * index starts over. The engine asks (`Reuse`); this module answers and keeps the session up to date.
 */
import {
  type Analyzer,
  type FileResult,
  type FunctionOutcome,
  type FunctionSlot,
  type Reuse,
  normaliseLineBreaks,
  unanalysed,
} from '../engine';
import { detachStrings, ownString, textKey } from '../engine/ir';
import type { ExternalIndex } from './live-index';
import { lineRange, moveCached, moveSummary } from './move';
import type { CachedFunction, DocumentSession } from './session';

/**
 * Analyse an open document: the session's tree (edited since) is reused by the parser, and functions
 * whose results still hold are not analysed again. The same result as analyzeText on the same text.
 */
export function analyseDocument(
  analyzer: Analyzer,
  session: DocumentSession,
  raw: string,
  file: string,
  index?: ExternalIndex,
): FileResult {
  const text = normaliseLineBreaks(raw);
  const old = session.tree;
  const tree = analyzer.parse(text, old);
  if (typeof tree === 'string') {
    session.replaced();
    return unanalysed(file, tree);
  }
  session.last.incrementalParse = !!old;
  // lines of this file in other files' summaries follow the edits (when the last analysis used this index too)
  if (index && session.index === index) index.linesMoved(file, session.pending);
  try {
    const reuse = new SessionReuse(session, file, index);
    const r = analyzer.analyzeTree(tree, text, file, { external: index, reuse });
    reuse.commit();
    return r;
  } finally {
    session.settled(tree);
  }
}

/** The results of the session's last analysis that still hold, and the session's next state. */
class SessionReuse implements Reuse {
  private names = '';
  private relevant: ReadonlySet<string> = new Set();
  private mark?: number;
  /** Names whose callers are analysed again: functions added, removed or duplicated, or changed elsewhere. */
  private changed = new Set<string>();
  /** What changed in other files since the last analysis (against the same index). */
  private since?: { names: Set<string>; fields: Set<string> };
  /** Whether the last analysis's results are of use (same index, not started over). */
  private carry = false;
  private before: ReadonlyMap<string, CachedFunction> = new Map();
  private beforeByName?: Map<string, CachedFunction>;
  /** The results of this analysis, by function text (its textKey). */
  private readonly kept = new Map<string, CachedFunction>();
  /** Functions whose summary changed in this analysis: their same-file callers are analysed again. */
  private readonly redone = new Set<string>();
  private reused = 0;
  private analysedCount = 0;
  private environment?: string;

  constructor(
    private readonly session: DocumentSession,
    private readonly file: string,
    private readonly index?: ExternalIndex,
  ) {}

  get segments() {
    return this.session.segments;
  }

  begin(names: readonly (string | undefined)[], relevant: ReadonlySet<string>, environment: string): void {
    const s = this.session;
    this.environment = environment;
    this.names = names.join('\n');
    this.relevant = relevant;
    this.mark = this.index?.mark;
    this.changed = changedNames(s, this.names, names, relevant);
    // functions in other files whose behaviour changed since (by an edit there, or its propagation): their
    // callers here are analysed again, and so are the functions whose calls through a pointer (or their
    // callees') went through an ops-table field such a function is installed in
    const index = this.index;
    this.since = s.index === index && index && s.mark !== undefined ? index.changesSince(this.file, s.mark) : undefined;
    for (const n of this.since?.names ?? []) this.changed.add(n);
    this.carry = s.names !== undefined && s.index === index && s.environment === environment;
    this.before = this.carry ? s.functions : new Map();
  }

  reuse(fn: FunctionSlot): FunctionOutcome | undefined {
    const prior = this.before.get(textKey(fn.text));
    if (!prior || this.redo(fn, prior)) return undefined;
    const s = this.session;
    let moved: CachedFunction | undefined = prior;
    if (!s.unmoved(prior.lines[0], prior.lines[1])) {
      // moved, or an edit falls between lines it mentions: the precise map decides
      moved = moveCached(prior, this.file, (l) => s.mapLine(l));
      if (moved)
        moved.lines = [s.mapLine(prior.lines[0]) ?? moved.info.line, s.mapLine(prior.lines[1]) ?? moved.info.endLine];
    }
    if (!moved) return undefined;
    this.reused++;
    this.kept.set(textKey(fn.text), moved);
    return moved;
  }

  /** Must `fn` be analysed again though its text did not change? */
  private redo(fn: FunctionSlot, prior: CachedFunction): boolean {
    const since = this.since;
    return (
      fn.calleePending ||
      [...fn.calls].some((c) => this.redone.has(c)) ||
      (this.changed.size > 0 && [...fn.named].some((c) => this.changed.has(c))) ||
      (!!since?.fields.size && prior.fields.some((f) => since.fields.has(f)))
    );
  }

  analysed(fn: FunctionSlot, out: FunctionOutcome): void {
    this.analysedCount++;
    // same-file callers are redone only if what they see of this function changed (its lines moved aside)
    if (fn.name) {
      const old = this.carry ? this.priorNamed(fn.name) : undefined;
      const oldMoved = old?.summary ? moveSummary(old.summary, this.file, (l) => this.session.mapLine(l)) : undefined;
      if (!oldMoved || JSON.stringify(oldMoved) !== JSON.stringify(out.summary)) this.redone.add(fn.name);
    }
    const lines = lineRange([out.summary, out.info, out.findings], this.file, out.info.line, out.info.endLine);
    // the cache outlives this text: its strings must not be slices of it (they would keep every old version alive)
    this.kept.set(textKey(fn.text), detachStrings({ ...out, lines }));
  }

  private priorNamed(name: string): CachedFunction | undefined {
    this.beforeByName ??= new Map([...this.before.values()].map((c) => [c.info.name, c]));
    return this.beforeByName.get(name);
  }

  /** The analysis is over: the session holds its results for the next one. */
  commit(): void {
    const s = this.session;
    s.functions = this.kept;
    s.names = this.names;
    s.environment = this.environment;
    s.relevant = new Set([...this.relevant].map(ownString));
    s.index = this.index;
    s.mark = this.mark;
    s.last = { ...s.last, reused: this.reused, analysed: this.analysedCount };
  }
}

/**
 * Functions added, removed or duplicated since the session's last analysis, and same-file functions
 * that started or stopped touching locks (that changes how their callers' CFGs treat their calls).
 */
function changedNames(
  s: DocumentSession,
  joined: string,
  names: readonly (string | undefined)[],
  relevant: ReadonlySet<string>,
): Set<string> {
  const changed = new Set<string>();
  if (s.names !== undefined && s.names !== joined) {
    const count = (list: readonly (string | undefined)[]) => {
      const m = new Map<string, number>();
      for (const n of list) if (n) m.set(n, (m.get(n) ?? 0) + 1);
      return m;
    };
    const before = count(s.names.split('\n'));
    const after = count(names);
    for (const n of new Set([...before.keys(), ...after.keys()])) if (before.get(n) !== after.get(n)) changed.add(n);
  }
  if (s.relevant)
    for (const n of new Set([...s.relevant, ...relevant])) if (s.relevant.has(n) !== relevant.has(n)) changed.add(n);
  return changed;
}
