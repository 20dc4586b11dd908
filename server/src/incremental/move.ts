/**
 * Moving results to new lines: a result kept from an earlier text of an edited file (a function's
 * findings, hover states and summary; another file's summary whose witness path comes into it) holds
 * lines of that text. Every line of the file in it goes through a line map (lines.ts); a result with
 * a line an edit touched cannot be moved (undefined), and is computed again.
 */
import type { FunctionOutcome, PathStep, Summary } from '../engine';

/** An object whose `line` is a line of `file` (a step in another file names its file). */
function ofFile(o: Record<string, unknown>, file: string): boolean {
  return typeof o.line === 'number' && (typeof o.file !== 'string' || o.file === file);
}

/** The first and last line of `file` that `value` mentions (as moveLines sees them). */
export function lineRange(value: unknown, file: string, from: number, to: number): [number, number] {
  let lo = from;
  let hi = to;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    const mine = ofFile(o, file);
    for (const k in o) {
      const x = o[k];
      if (mine && (k === 'line' || k === 'endLine') && typeof x === 'number') {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      } else if (x && typeof x === 'object') walk(x);
    }
  };
  walk(value);
  return [lo, hi];
}

/**
 * A copy of `value` with every `line`/`endLine` of this file moved through `map` (objects naming another
 * file keep theirs); undefined when some line of this file was inside an edit. Findings carry the lines
 * their messages mention as structured refs (`{ file?, line }`), so only numbers move, never text.
 */
export function moveLines<T>(value: T, file: string, map: (line: number) => number | undefined): T | undefined {
  let lost = false;
  // structural sharing: a part with nothing to move (most witness steps are in other files) is kept as it is
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const x = walk(v[i]);
        if (x !== v[i]) {
          out ??= v.slice();
          out[i] = x;
        }
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
        if (m === undefined) lost = true;
        else y = m;
      } else if (x && typeof x === 'object') y = walk(x);
      if (y !== x) {
        out ??= { ...o };
        out[k] = y;
      }
    }
    return out ?? o;
  };
  const moved = walk(value) as T;
  return lost ? undefined : moved;
}

/**
 * moveLines for a function's kept result. A summary's lines are all in its witness paths, which
 * hold most of a file's results by far (every lock a callee takes, with its path through other
 * files); walking only those paths, and only their steps in this file, is what keeps an edit above
 * many functions cheap. Must agree with moveLines on every summary (a test holds it to that).
 */
export function moveCached<T extends FunctionOutcome>(
  c: T,
  file: string,
  map: (line: number) => number | undefined,
): T | undefined {
  const summary = c.summary ? moveSummary(c.summary, file, map) : undefined;
  if (c.summary && !summary) return undefined;
  const info = moveLines(c.info, file, map);
  const findings = moveLines(c.findings, file, map);
  if (!info || !findings) return undefined;
  return { ...c, ...(summary ? { summary } : {}), info, findings };
}

/** moveLines for a summary: only its witness paths hold lines. */
export function moveSummary(s: Summary, file: string, map: (line: number) => number | undefined): Summary | undefined {
  let lost = false;
  const steps = (w: PathStep[]): PathStep[] => {
    let out: PathStep[] | undefined;
    for (let i = 0; i < w.length; i++) {
      const st = w[i];
      if (st.file !== file && typeof st.file === 'string') continue;
      const moved = moveLines(st, file, map);
      if (!moved) {
        lost = true;
        return w;
      }
      if (moved !== st) {
        out ??= w.slice();
        out[i] = moved;
      }
    }
    return out ?? w;
  };
  const each = <T extends { witness: PathStep[] }>(list: T[]): T[] => {
    let out: T[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const w = steps(list[i].witness);
      if (w !== list[i].witness) {
        out ??= list.slice();
        out[i] = { ...list[i], witness: w };
      }
    }
    return out ?? list;
  };
  const acquires = each(s.acquires);
  const requires = each(s.requires);
  const forbidden = each(s.forbidden);
  const deferred = each(s.deferred);
  const reclaimAcquires = s.reclaimAcquires ? each(s.reclaimAcquires) : undefined;
  const sleeps = s.sleeps ? steps(s.sleeps) : undefined;
  const sleepsIf = s.sleepsIf ? each(s.sleepsIf) : undefined;
  const faults = s.faults ? steps(s.faults) : undefined;
  const reclaims = s.reclaims ? steps(s.reclaims) : undefined;
  if (lost) return undefined;
  if (
    acquires === s.acquires &&
    requires === s.requires &&
    forbidden === s.forbidden &&
    deferred === s.deferred &&
    reclaimAcquires === s.reclaimAcquires &&
    sleeps === s.sleeps &&
    sleepsIf === s.sleepsIf &&
    faults === s.faults &&
    reclaims === s.reclaims
  )
    return s;
  return {
    ...s,
    acquires,
    requires,
    forbidden,
    deferred,
    ...(reclaimAcquires ? { reclaimAcquires } : {}),
    ...(sleeps ? { sleeps } : {}),
    ...(sleepsIf ? { sleepsIf } : {}),
    ...(faults ? { faults } : {}),
    ...(reclaims ? { reclaims } : {}),
  };
}
