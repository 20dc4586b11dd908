/** Kernel splats (lockdep reports, hung-task traces) read and mapped onto a tree index: for the CLI and server. */
export {
  parseSplat,
  cleanLine,
  parseFrame,
  baseName,
  MAX_INPUT,
  type Splat,
  type SplatKind,
  type Frame,
  type ParseResult,
} from './parse';
export { mapLockName, matchesClass, type LockMapping } from './lockname';
export { mapSplat, type SplatMap, type StaticPath, type Prediction, type MappedLock } from './map';
export { splatText, splatJson, type FormatOptions } from './format';
