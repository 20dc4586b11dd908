/**
 * lockscope's own LSP requests, declared once for the server and the VS Code client
 * (vscode-eslint's customMessages / rust-analyzer's lsp_ext pattern).
 */
import { NotificationType0, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

export interface IndexStatus {
  state: 'none' | 'indexing' | 'ready' | 'failed';
  root?: string;
  files?: number;
  functions?: number;
  seconds?: number;
  done?: number;
  total?: number;
  /**
   * While indexing: what is being done (hashing, loading, parsing, linking, checking, saving); `done`/`total`
   * count files while hashing and parsing, functions while checking.
   */
  phase?: string;
  message?: string;
  /** Functions whose definition has a parse error somewhere (checked, with findings on the broken locks left out). */
  functionsWithParseErrors?: number;
  /** Files whose extraction came from the on-disk cache, and files parsed. */
  cacheHits?: number;
  parsed?: number;
  /** The whole analysis came from the cache. */
  warm?: boolean;
  workers?: number;
}

export const IndexStatusRequest = new RequestType0<IndexStatus, void>('lockscope/indexStatus');
export const ReindexRequest = new RequestType0<IndexStatus, void>('lockscope/reindex');

export interface CallGraphParams {
  uri: string;
  line: number;
  depth?: number;
}
export interface CallGraphResult {
  function: string;
  markdown: string;
  dot: string;
  svg: string;
}
export const CallGraphRequest = new RequestType<CallGraphParams, CallGraphResult | null, void>('lockscope/callGraph');

export interface LockOrderParams {
  cyclesOnly?: boolean;
  classFilter?: string[];
}
export interface LockOrderResult {
  classes: number;
  edges: number;
  cycles: string[][];
  omitted: number;
  markdown: string;
  dot: string;
  svg: string;
}
export const LockOrderRequest = new RequestType<LockOrderParams, LockOrderResult | null, void>(
  'lockscope/lockOrderGraph',
);

/** The server process's memory (worker threads included): for the benchmark and the status command. */
export interface MemoryResult {
  rssMiB: number;
  peakRssMiB: number;
  /** Live JavaScript heap (after a GC when the server runs with --expose-gc), in tenths of a MiB. */
  heapUsedMiB: number;
  /** Of the heap, the part that holds compiled code (grows as more functions get hot, then levels off). */
  codeMiB: number;
}
export const MemoryRequest = new RequestType0<MemoryResult, void>('lockscope/memory');

/** One step of a finding's path, where it is and what happens there (0-based line and character). */
export interface FindingStep {
  uri: string;
  /** Tree- or folder-relative path, as findings name files. */
  file: string;
  line: number;
  character: number;
  function: string;
  note: string;
}
/** A finding of the whole tree (the index's) or of an open document, for the findings view. */
export interface FindingEntry {
  kind: string;
  severity: 'error' | 'warning' | 'information' | 'hint';
  confidence: 'high' | 'medium' | 'low';
  uri: string;
  file: string;
  /** 0-based, as LSP ranges. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  function: string;
  /** The message as the diagnostic says it (confidence and doubts included). */
  message: string;
  /** In the user's `pathOrder`. */
  steps: FindingStep[];
}
export interface FindingsParams {
  /** At most this many findings (default 5000); `total` says how many there were. */
  limit?: number;
}
export interface FindingsResult {
  /** The index's state: `ready` means the whole tree; otherwise only the open files' findings are in. */
  state: IndexStatus['state'];
  findings: FindingEntry[];
  total: number;
}
export const FindingsRequest = new RequestType<FindingsParams, FindingsResult, void>('lockscope/findings');
/** The server's findings changed beyond the open files (a new index, new settings): ask for them again. */
export const FindingsChangedNotification = new NotificationType0('lockscope/findingsChanged');

/** A kernel splat (a lockdep report or hung-task trace) to map onto the indexed tree (`lockscope splat`). */
export interface MapSplatParams {
  /** The splat's text (at most 8 MiB). */
  text: string;
  /** What to call it in the output (its file name). */
  name?: string;
}
export interface MapSplatResult {
  /** Set when nothing was mapped: no index yet, or no splat in the text (the reason, in words). */
  error?: string;
  /** Compiler-style lines (`/abs/path:line:col: note: ...`), as `lockscope splat` prints them. */
  text?: string;
  /** The JSON of `lockscope splat --format json`. */
  json?: unknown;
  /** How many findings predicted it. */
  predicted?: number;
}
export const MapSplatRequest = new RequestType<MapSplatParams, MapSplatResult, void>('lockscope/mapSplat');
