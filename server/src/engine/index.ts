/** The engine's public surface: plain data in, plain data out; no LSP imports below this folder. */
export * from './model';
export {
  Analyzer,
  functionAt,
  locksAt,
  unanalysed,
  type FileOptions,
  type FileResult,
  type FunctionInfo,
  type FunctionOutcome,
  type FunctionSlot,
  type Reuse,
} from './file';
export {
  analyseFunction,
  type FunctionAnalysis,
  type FunctionEnv,
  type FunctionOptions,
  type StatePoint,
} from './function';
export type { Summary } from './absint';
export type { SegmentCache } from './syntax';
export { normaliseLineBreaks, rejectReason } from './syntax';
export {
  loadGrammar,
  findGrammarDir,
  GrammarError,
  GRAMMAR_PINS,
  unpinnedAllowedByEnv,
  type Grammar,
  type GrammarSource,
} from './syntax';
export { Catalog, BUILTIN_PRIMITIVES, type LockPrimitive } from './model';
export {
  SETTINGS,
  STARTUP_SETTINGS,
  defaultSettings,
  parseSettings,
  mergeSettings,
  readWorkspaceFile,
  type Settings,
  type SettingKey,
} from './model';
export { buildCfg } from './cfg';
export { Project, findingsFor, type TreeAnalysis, type ProjectStats } from './project';
export { sccOrder } from './link';
export { Linker, TreeView, busy, shareStrings, type LinkFn, type TreeIndex } from './link';
export { FileFilter, globToRegExp } from './model';
export { normaliseExpr, keyOfPointer, applyTemplate } from './ir';
