/**
 * What every checker shares: the sink findings go to (deduplicated, suppressed where a callee we
 * could not follow touched the lock), the path builder that turns a state's trail into witness steps,
 * and the shape of a checker (observer callbacks during the replay, exits, a last pass).
 */
import type { LockFact, Observer, State, TransferContext } from '../absint';
import { trailSteps } from '../absint';
import type { CfgNode, FunctionIR, LockRef, Site } from '../ir';
import {
  type Doubt,
  FINDING_TABLE,
  type Finding,
  type FindingKind,
  type LineRef,
  type PathStep,
  type Severity,
  withDoubts,
} from '../model';

export interface CheckOptions {
  /**
   * @deprecated Ignored: checks report each kind at its default severity (FINDING_TABLE); the
   * pipeline applies the user's `severity` setting once (`applySeverity`).
   */
  severity?: Partial<Record<FindingKind, Severity>>;
  /** Receives the locks held at each direct call (whole-tree analysis: what callers hold). */
  callSite?(callee: string, held: string[]): void;
  /** Receives every lock-order edge with its witness path (whole-tree analysis). */
  order?(w: { held: LockFact; taken: LockRef; site: Site; path: PathStep[]; subclass?: string }): void;
  /**
   * A check needed what the environment does not give yet (the tree's page-fault handlers or reclaim entries,
   * summarised later): the function is to be checked again once the tree is.
   */
  needsTree?(kind: FindingKind): void;
}

/** The message of a finding: a template and the lines it mentions (built with `findingMessage`). */
export type Message = Pick<Finding, 'template' | 'refs'>;

/** Where a lock was taken or released, for a message: a line of this function, or its entry. */
export function lineRef(s: Site | undefined): LineRef | string {
  return s ? { line: s.line } : 'entry';
}

/** The trail key a path starts from: where `held` was taken here (none when the caller holds it). */
export function takenKey(held: LockFact): string | undefined {
  return held.status === 'caller' ? undefined : held.ref.key;
}

/** Witness paths in the function being checked. */
export class PathBuilder {
  constructor(private readonly ir: FunctionIR) {}

  /** One step at `at` in this function. */
  step(at: { line: number; column: number }, note: string): PathStep {
    return { file: this.ir.file, line: at.line, column: at.column, function: this.ir.name, note };
  }

  /** The state's trail (at most its last 24 steps), from where `fromKey` was taken when given. */
  trail(s: State, fromKey?: string): PathStep[] {
    let steps = trailSteps(s.trail);
    if (fromKey) {
      const i = steps.findIndex((t) => t.key === fromKey && /takes|must be held/.test(t.note));
      if (i > 0) steps = steps.slice(i);
    }
    return steps.slice(-24).map((t) => this.step(t, t.note));
  }

  /** The call at `site` that leads into `via` with `held` held, then the callee's own steps. */
  callInto(site: Site, via: string, held: string, inner: PathStep[]): PathStep[] {
    return [this.step(site, `calls ${via}() with ${held} held`), ...inner];
  }
}

/** Reports a finding of one kind: `cause` groups findings with one root cause (reported once). */
export type Report = (
  key: string,
  lock: { class: string | null; display: string },
  site: Site,
  msg: Message,
  path: PathStep[],
  cause?: string,
  doubts?: readonly Doubt[],
) => void;

/** What the witness path itself says about confidence: calls through ops-table fields resolved by guess. */
export function pathDoubts(path: readonly PathStep[]): Doubt[] {
  const out: Doubt[] = [];
  for (const s of path) {
    if (s.only) out.push({ level: 'medium', why: `${s.function}() gets there only when ${s.only}` });
    if (s.resolvedBy !== 'directory' && s.resolvedBy !== 'few') continue;
    const field = /^->(\w+)/.exec(s.note)?.[1] ?? 'an ops-table field';
    const why =
      s.resolvedBy === 'directory'
        ? `the path calls through ->${field}, resolved by this function's directory, not by its ops tables`
        : `the path calls through ->${field}, which neither this function's ops tables nor its directory ` +
          'resolve: every candidate of the tree was followed';
    // a directory says which filesystem; all of a few candidates is a guess among filesystems
    out.push({ level: s.resolvedBy === 'directory' ? 'medium' : 'low', why });
  }
  return out;
}

/** Collects findings: one per kind, key and site (or cause), none about a lock a callee may have touched unseen. */
export class FindingSink {
  readonly findings: Finding[] = [];
  private readonly seen = new Set<string>();
  constructor(
    private readonly ir: FunctionIR,
    private readonly suppressed: (key: string) => boolean,
  ) {}

  /** The reporter of one kind, at the kind's default severity. */
  reporter(kind: FindingKind): Report {
    return (key, lock, site, msg, path, cause, doubts = []) => {
      if (this.suppressed(key)) return;
      const id = cause ? `${kind}|${key}|${cause}` : `${kind}|${site.line}|${site.column}|${key}`;
      if (this.seen.has(id)) return;
      this.seen.add(id);
      const finding: Finding = {
        kind,
        template: msg.template,
        refs: msg.refs,
        severity: FINDING_TABLE[kind].severity,
        file: this.ir.file,
        line: site.line,
        column: site.column,
        endLine: site.endLine,
        endColumn: site.endColumn,
        function: this.ir.name,
        lock: { class: lock.class, instance: lock.display },
        path,
        confidence: 'high',
      };
      this.findings.push(withDoubts(finding, [...doubts, ...pathDoubts(path)]));
    };
  }
}

/** What a checker sees of the function being checked. */
export interface CheckContext {
  ir: FunctionIR;
  ctx: TransferContext;
  sink: FindingSink;
  paths: PathBuilder;
  /** CheckOptions.needsTree: this function is to be checked again once the tree's summaries are known. */
  needsTree?(kind: FindingKind): void;
}

/** A checker: the observer callbacks it listens to while the solved states are replayed, and what it does after. */
export interface Checker {
  observer?: Partial<Observer>;
  /** A state leaving through a return node (after the return's own operations). */
  exit?(node: CfgNode, out: State): void;
  /** After the replay, in the order the checkers are listed. */
  finish?(): void;
}

/** The checker of one finding kind. */
export interface KindChecker {
  kind: FindingKind;
  create(c: CheckContext, report: Report): Checker;
}
