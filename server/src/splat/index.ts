/** Kernel splats (lockdep reports, hung-task traces) read and mapped onto an indexed tree: for the CLI and the server. */
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
