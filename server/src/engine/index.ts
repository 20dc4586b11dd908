/** The engine's public surface: plain data in, plain data out; no LSP imports below this folder. */
export * from './types';
export { Analyzer, functionAt, locksAt, rejectReason, type FileResult, type FunctionInfo, type StatePoint } from './analyze';
export { loadGrammar, findGrammarDir, GrammarError, GRAMMAR_PINS, unpinnedAllowedByEnv, type Grammar, type GrammarSource } from './parser';
export { Catalog, BUILTIN_PRIMITIVES, type LockPrimitive } from './catalog';
export {
  SETTINGS, STARTUP_SETTINGS, defaultSettings, parseSettings, mergeSettings, readWorkspaceFile, type Settings, type SettingKey,
} from './config';
export { buildCfg } from './cfg';
export { Project, sccOrder } from './project';
export { ExternalIndex, Linker, shareStrings, type TreeIndex } from './linker';
export { FileFilter, globToRegExp } from './globs';
export { normaliseExpr, keyOfPointer, applyTemplate } from './lockname';
