/**
 * Plain data shared by every stage of the engine, the CLI and the language server.
 * Nothing here imports tree-sitter or LSP code. Lines and columns are 1-based.
 */

export const FINDING_KINDS = [
  'recursive-lock',
  'lock-imbalance',
  'double-unlock',
  'unlock-not-held',
  'lock-order-inversion',
  'forbidden-call',
  'missing-required-lock',
  'sleep-in-atomic',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** One hop of a finding's witness path. */
export interface PathStep {
  file: string;
  line: number;
  column: number;
  function: string;
  note: string;
}

export interface Finding {
  kind: FindingKind;
  message: string;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  function: string;
  lock: { class: string | null; instance: string };
  path: PathStep[];
}

export interface SourcePos {
  line: number;
  column: number;
}

/** A lock held at some program point, as shown by hover. */
export interface HeldLock {
  /** Normalised instance expression, e.g. `&inode->i_rwsem`. */
  instance: string;
  class: string | null;
  kind: string;
  mode: 'excl' | 'shared';
  /** `held` on every path reaching the point, or only on some. */
  certainty: 'must' | 'may';
  /** Where it was taken; undefined when the caller holds it (annotation or assert). */
  site?: SourcePos;
  /** The primitive that took it, or the annotation that declares it. */
  via: string;
}

/** Counts of what the CFG builder could not model, by construct. */
export type UnmodelledCounts = Record<string, number>;

export interface FileStats {
  functions: number;
  functionsWithParseErrors: number;
  /** Lock-primitive call sites seen by the query over the file. */
  lockSitesFound: number;
  /** Lock-primitive call sites that became operations in some CFG. */
  lockSitesModelled: number;
  unmodelled: UnmodelledCounts;
}

export const emptyStats = (): FileStats => ({ functions: 0, functionsWithParseErrors: 0, lockSitesFound: 0, lockSitesModelled: 0, unmodelled: {} });
