/**
 * The language server: glue between LSP and the engine. Stdio (`--stdio`) and IPC (`--node-ipc`)
 * transports come from vscode-languageserver's createConnection. Bad input and bad settings are
 * reported and the server keeps serving; nothing here ever writes to a user's files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type CallHierarchyIncomingCall, type CallHierarchyItem, type CallHierarchyOutgoingCall, CodeActionKind, SymbolKind,
  type Connection, type Diagnostic, DiagnosticSeverity, DidChangeConfigurationNotification, type Hover,
  type InitializeParams, type InitializeResult, MarkupKind, MessageType, ProposedFeatures, ShowMessageNotification,
  TextDocumentSyncKind, TextDocuments,
  createConnection,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  Analyzer, shareStrings, type FileResult, type Grammar, type Settings, defaultSettings, loadGrammar, functionAt, locksAt, mergeSettings,
  parseSettings, readWorkspaceFile, STARTUP_SETTINGS, type GrammarSource,
} from './engine';
import type { IndexMessage, IndexRequest } from './tree/indexer';
import { defaultCacheDir } from './tree/cache';
import { FramingGuard, parseErrorResponse } from './lsp/framing';
import type { LinkFn } from './engine/link';
import { DocumentSession, ExternalIndex, Propagation, analyseDocument, rangedChange } from './incremental';
import type { Deferred } from './engine/absint';
import { callGraph, toDot, toMarkdown, toSvg } from './report/callgraph';
import {
  CallGraphRequest, type CallGraphResult, type IndexStatus, IndexStatusRequest, MemoryRequest, LockOrderRequest, type LockOrderResult, ReindexRequest,
} from './protocol';
import { lockOrderDot, lockOrderGraph, lockOrderMarkdown } from './report/lockgraph';
import { calleeAt, calleeMarkdown, hoverMarkdown, suppressActions, toDiagnostic } from './lsp/present';
import { annotationActions } from './lsp/annotate';
import { baselineActions, loadBaselines } from './lsp/baseline';
import { Baseline } from './engine/checks';

const DEBOUNCE_MS = 25;

/** `p` relative to `root` with POSIX separators, or undefined when it is not inside `root`. */
function relativeInside(root: string, p: string): string | undefined {
  const rel = path.relative(root, p);
  return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel.split(path.sep).join('/');
}

export class LockscopeServer {
  /** Open documents' incremental state: syntax tree, edits since the last analysis, per-function results. */
  private readonly sessions = new Map<string, DocumentSession>();
  /** Every change passes through here on its way into the document, so the session sees each edit. */
  private readonly documents = new TextDocuments<TextDocument>({
    create: (uri, languageId, version, content) => TextDocument.create(uri, languageId, version, content),
    update: (doc, changes, version) => {
      const session = this.sessions.get(doc.uri);
      let cur = doc;
      for (const c of changes) {
        if (session) {
          // a whole-text change (no incremental sync) is told as the ranged change it amounts to
          const { startOffset, endOffset, text } = 'range' in c
            ? { startOffset: cur.offsetAt(c.range.start), endOffset: cur.offsetAt(c.range.end), text: c.text }
            : rangedChange(cur.getText(), c.text);
          session.change({ start: cur.positionAt(startOffset), end: cur.positionAt(endOffset), startOffset, endOffset, text });
        }
        cur = TextDocument.update(cur, [c], version);
      }
      return cur;
    },
  });
  /** Bumped on every edit: a propagation started for an older edit stops. */
  private edits = 0;
  private grammar?: Grammar;
  private grammarError?: string;
  /** Where the grammar is loaded from: start-up options only (CLI flags, environment, the client's initializationOptions). */
  private grammarSource: GrammarSource;
  private analyzer?: Analyzer;
  private settings: Settings = defaultSettings();
  private roots: string[] = [];
  private canConfigure = false;
  private canDocumentChanges = false;
  /** Accepted findings, from .lockscope-baseline.json at the workspace roots. */
  private baselines: Baseline[] = [];
  private readonly results = new Map<string, { version: number; result: FileResult }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** When each document was last analysed (performance.now()): an edit soon after waits for a pause. */
  private readonly lastAnalysed = new Map<string, number>();
  /** Kept so tests and shutdown can wait for the start-up work. */
  ready: Promise<void> = Promise.resolve();
  /** The rest of the kernel tree, indexed in a worker thread; undefined until it is ready. */
  private external?: ExternalIndex;
  private indexRoot?: string;
  private indexWorker?: Worker;
  private canProgress = false;
  private status: IndexStatus = { state: 'none' };
  /** The on-disk index cache (the client's workspace storage, else ~/.cache/lockscope). */
  private cacheDir = defaultCacheDir();

  constructor(private readonly connection: Connection, private readonly options: ServerOptions = {}) {
    this.grammarSource = options.grammar ?? {};
  }

  register(): void {
    const c = this.connection;
    c.onInitialize((p) => this.initialize(p));
    c.onInitialized(() => { this.ready = this.start(); });
    c.onDidChangeConfiguration(() => { void this.reconfigure(); });
    // .lockscope.json or the baseline changed (the client watches them)
    c.onDidChangeWatchedFiles(() => { void this.reconfigure(); });
    c.onHover((p) => this.hover(p.textDocument.uri, p.position.line, p.position.character));
    c.onRequest(IndexStatusRequest, () => this.status);
    c.onRequest(MemoryRequest, () => {
      const mib = (b: number) => Math.round(b / 1024 / 1024);
      (globalThis as { gc?: () => void }).gc?.(); // (under --expose-gc, as the benchmark runs it: live memory only)
      return { rssMiB: mib(process.memoryUsage.rss()), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), heapUsedMiB: mib(process.memoryUsage().heapUsed) };
    });
    c.onRequest(ReindexRequest, async () => {
      await this.indexWorker?.terminate();
      this.indexWorker = undefined;
      this.external = undefined;
      this.results.clear();
      void this.startIndex();
      return this.status;
    });
    c.onRequest(CallGraphRequest, (p) => this.callGraph(p.uri, p.line, p.depth ?? 4));
    c.onRequest(LockOrderRequest, (p) => this.lockOrder(p.cyclesOnly ?? false, p.classFilter ?? []));
    c.onCodeAction((p) => {
      const doc = this.documents.get(p.textDocument.uri);
      if (!doc) return [];
      const actions = suppressActions(doc.uri, p.context.diagnostics, (line) => doc.getText({ start: { line, character: 0 }, end: { line, character: 100000 } }).replace(/\r?\n$/, ''));
      actions.push(...baselineActions(this.rootOf(doc.uri), p.context.diagnostics, this.canDocumentChanges));
      // in a function that needs a lock only because a callee asserts it: offer to state it here
      const r = this.analyse(doc);
      const fn = r && functionAt(r, p.range.start.line + 1);
      const requires = fn && r?.summaries?.get(fn.name)?.requires;
      if (fn && requires?.length) actions.push(...annotationActions(doc.uri, fn, requires, doc.getText().split(/\r?\n/)));
      return actions;
    });
    c.languages.callHierarchy.onPrepare((p) => this.prepareCallHierarchy(p.textDocument.uri, p.position.line));
    c.languages.callHierarchy.onIncomingCalls((p) => this.incomingCalls(p.item));
    c.languages.callHierarchy.onOutgoingCalls((p) => this.outgoingCalls(p.item));
    c.onShutdown(async () => {
      for (const t of this.timers.values()) clearTimeout(t);
      await this.indexWorker?.terminate();
    });
    this.documents.onDidChangeContent((e) => this.schedule(e.document));
    this.documents.onDidClose((e) => {
      this.results.delete(e.document.uri);
      this.sessions.get(e.document.uri)?.dispose();
      this.sessions.delete(e.document.uri);
      this.lastAnalysed.delete(e.document.uri);
      void c.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
    this.documents.listen(c);
    c.listen();
  }

  private initialize(p: InitializeParams): InitializeResult {
    this.canConfigure = !!p.capabilities.workspace?.configuration;
    this.canProgress = !!p.capabilities.window?.workDoneProgress;
    this.canDocumentChanges = !!p.capabilities.workspace?.workspaceEdit?.documentChanges;
    const init = (p.initializationOptions ?? {}) as { cacheDir?: unknown; grammarDirectory?: unknown; allowUnpinnedGrammar?: unknown };
    // the grammar is code: a folder named on the command line wins, else the one the client passes from the
    // user's own settings (VS Code's lockscope.grammarDirectory is machine-scoped: no workspace can set it)
    if (!this.options.grammar?.dir && typeof init.grammarDirectory === 'string' && init.grammarDirectory) {
      this.grammarSource = { ...this.grammarSource, dir: init.grammarDirectory };
    }
    if (init.allowUnpinnedGrammar === true) this.grammarSource = { ...this.grammarSource, allowUnpinned: true };
    const given = init.cacheDir;
    this.cacheDir = typeof given === 'string' && given ? path.join(given, 'index') : defaultCacheDir();
    const folders = p.workspaceFolders?.map((f) => f.uri) ?? (p.rootUri ? [p.rootUri] : []);
    this.roots = folders.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        callHierarchyProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
      },
      serverInfo: { name: 'lockscope', version: '0.1.0' },
    };
  }

  private log(m: string): void { this.connection.console.log(m); }

  private async start(): Promise<void> {
    if (this.canConfigure) {
      try { await this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'lockscope' }); } catch { /* optional */ }
    }
    await this.loadSettings();
    await this.loadEngine();
    for (const d of this.documents.all()) this.schedule(d, 0);
    if (this.analyzer) void this.startIndex();
  }

  /**
   * A workspace that is a kernel tree (it has include/linux/) is indexed in a worker thread: fs/,
   * include/, mm/ and block/ are summarised so that open files are analysed against the rest of the
   * tree. Until then, open files are analysed on their own.
   */
  private async startIndex(): Promise<void> {
    const root = this.roots.find((r) => fs.existsSync(path.join(r, 'include', 'linux')));
    if (!root || this.indexWorker) return;
    const script = path.join(__dirname, 'indexer.js');
    if (!fs.existsSync(script)) { this.log(`lockscope: ${script} is missing; open files are analysed on their own`); return; }
    this.indexRoot = root;
    this.status = { state: 'indexing', root, done: 0 };
    const progress = this.canProgress ? await this.connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
    progress?.begin('lockscope: indexing the tree', 0, root, false);
    this.log(`lockscope: indexing ${root} in the background`);
    const open = this.documents.all().map((d) => this.treePath(d.uri)).filter((f): f is string => !!f);
    const req: IndexRequest = {
      root, settings: this.settings, grammar: this.grammarSource, open,
      jobs: this.settings['index.workers'] || undefined, cacheDir: this.settings['index.cache'] ? this.cacheDir : undefined,
    };
    const worker = new Worker(script, { workerData: req });
    this.indexWorker = worker;
    worker.on('message', (m: IndexMessage) => {
      if (m.type === 'progress') {
        this.status = { ...this.status, done: m.done, total: m.total };
        progress?.report(Math.floor((100 * m.done) / Math.max(1, m.total)), `${m.done}/${m.total} files`);
      } else if (m.type === 'warning') {
        this.log(`lockscope: ${m.message}`);
      } else if (m.type === 'partial') {
        // the open files' directories are indexed: analyse open files against them until the whole tree is
        this.external = new ExternalIndex(m.index);
        this.log(`lockscope: indexed the open files' directories first (${m.files} files, ${this.external.functions} functions)`);
        this.results.clear();
        for (const d of this.documents.all()) this.schedule(d, 0);
      } else if (m.type === 'done') {
        shareStrings(m.index);
        this.external = new ExternalIndex(m.index);
        const t = m.timings;
        this.status = { state: 'ready', root, files: m.files, functions: this.external.functions, seconds: m.seconds, functionsWithParseErrors: m.functionsWithParseErrors, cacheHits: t.cacheHits, parsed: t.parsed, warm: t.warm, workers: t.jobs };
        progress?.done();
        this.log(`lockscope: indexed ${m.files} files (${this.external.functions} functions) in ${m.seconds.toFixed(1)} s: `
          + (t.warm ? 'the whole analysis from the cache' : `${t.cacheHits} from the cache, ${t.parsed} parsed with ${t.jobs} workers (extract ${t.extract.toFixed(1)} s, analyse ${t.analyse.toFixed(1)} s)`));
        this.results.clear();
        for (const d of this.documents.all()) this.schedule(d, 0);
        void worker.terminate();
      } else {
        progress?.done();
        this.status = { state: 'failed', root, message: m.message };
        this.log(`lockscope: indexing failed: ${m.message}`);
      }
    });
    worker.on('error', (e) => { progress?.done(); this.log(`lockscope: the indexer stopped: ${e.message}`); });
  }

  private async loadSettings(): Promise<void> {
    let settings = defaultSettings();
    const problems: string[] = [];
    if (this.canConfigure) {
      try {
        const raw: unknown = await this.connection.workspace.getConfiguration('lockscope');
        const r = parseSettings(withoutStartupSettings(raw, (m) => this.log(m)), 'settings');
        problems.push(...r.problems.filter((m) => !m.includes('unknown setting')));
        settings = r.settings;
      } catch (e) { problems.push(`could not read settings: ${(e as Error).message}`); }
    }
    for (const root of this.roots) {
      const ws = readWorkspaceFile(root);
      problems.push(...ws.problems);
      if (ws.settings) settings = mergeSettings(settings, ws.settings);
    }
    this.baselines = loadBaselines(this.roots, (m) => problems.push(m));
    for (const p of problems) {
      this.log(`lockscope: ${p}`);
      void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `lockscope: ${p}` });
    }
    this.settings = settings;
  }

  private async loadEngine(): Promise<void> {
    try {
      this.grammar ??= await loadGrammar(this.grammarSource, (m) => this.log(m));
      this.grammarError = undefined;
      this.analyzer = new Analyzer(this.grammar, { settings: this.settings });
      this.log(`lockscope: ready (${this.analyzer.catalog.size} lock primitives)`);
    } catch (e) {
      this.analyzer = undefined;
      this.grammarError = (e as Error).message;
      this.log(this.grammarError);
      void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: this.grammarError });
    }
  }

  private async reconfigure(): Promise<void> {
    await this.ready;
    await this.loadSettings();
    await this.loadEngine();
    this.results.clear();
    for (const session of this.sessions.values()) session.replaced(); // other settings, other results
    for (const d of this.documents.all()) this.schedule(d, 0);
  }

  /**
   * Analyse an edit at once when the document was quiet, and otherwise after a pause (25 ms): a
   * keystroke after a pause is answered without waiting, while a burst (a paste made of many changes,
   * key repeat, an edit arriving while one is waiting) re-arms the timer, so analyses never pile up.
   */
  private schedule(doc: TextDocument, delay?: number): void {
    this.edits++;
    const old = this.timers.get(doc.uri);
    if (old) clearTimeout(old);
    const quiet = !old && performance.now() - (this.lastAnalysed.get(doc.uri) ?? -Infinity) > DEBOUNCE_MS;
    this.timers.set(doc.uri, setTimeout(() => {
      this.timers.delete(doc.uri);
      const current = this.documents.get(doc.uri);
      if (!current) return;
      this.publish(current);
      this.lastAnalysed.set(doc.uri, performance.now());
    }, delay ?? (quiet ? 0 : DEBOUNCE_MS)));
  }

  /** Analyse a document (cached by version); undefined when the engine is not available. */
  private analyse(doc: TextDocument): FileResult | undefined {
    if (!this.analyzer) return undefined;
    const cached = this.results.get(doc.uri);
    if (cached && cached.version === doc.version) return cached.result;
    let result: FileResult;
    try {
      const inTree = this.treePath(doc.uri);
      let session = this.sessions.get(doc.uri);
      if (!session) { session = new DocumentSession(); this.sessions.set(doc.uri, session); }
      const analysedBefore = !!cached?.result.summaries;
      result = inTree && this.external
        ? analyseDocument(this.analyzer, session, doc.getText(), inTree, this.external)
        : analyseDocument(this.analyzer, session, doc.getText(), this.displayPath(doc.uri));
      // incremental: an edit that changes what this file's functions do to locks refreshes the files
      // that call them (and theirs); the first analysis of a file only brings the index up to date
      if (inTree && this.external && result.summaries) {
        const { stale, changed } = this.external.update(inTree, result.summaries);
        // (after the first analysis the index holds this file's last summaries, so `stale` is what this edit changed)
        if (stale.size && analysedBefore) {
          this.log(`lockscope: ${inTree}: what ${changed.join(', ')} do to locks changed; refreshing their callers in ${stale.size} other file(s)`);
          void this.propagate(stale, inTree);
        }
      }
    } catch (e) {
      this.log(`lockscope: internal error analysing ${doc.uri}: ${(e as Error).stack ?? e}`);
      result = { file: doc.uri, findings: [], functions: [], stats: { functions: 0, functionsWithParseErrors: 0, lockSitesFound: 0, lockSitesModelled: 0, unmodelled: {} }, error: `internal error: ${(e as Error).message}` };
    }
    if (result.error) this.log(`lockscope: ${this.displayPath(doc.uri)}: ${result.error}`);
    this.results.set(doc.uri, { version: doc.version, result });
    return result;
  }

  private publish(doc: TextDocument): void {
    const r = this.analyse(doc);
    if (!r) return;
    const shown = r.findings.map((f) => ({ f, entry: Baseline.entryOf(f) }))
      .filter(({ entry }) => !this.baselines.some((b) => b.lists(entry.fingerprint, entry.file)));
    const diagnostics: Diagnostic[] = shown.map(({ f, entry }) => {
      const d = toDiagnostic(f, doc.uri, (file) => this.uriOf(file, doc.uri));
      d.data = { baseline: entry };
      if (this.settings.pathOrder === 'end-first' && d.relatedInformation) d.relatedInformation = [...d.relatedInformation].reverse();
      return d;
    });
    if (r.error && !r.error.startsWith('internal')) {
      diagnostics.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Information, source: 'lockscope', message: `lockscope: ${r.error}` });
    }
    void this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  }

  private hover(uri: string, line: number, character: number): Hover | null {
    const doc = this.documents.get(uri);
    if (!doc) return null;
    if (!this.analyzer) {
      return this.grammarError ? { contents: { kind: MarkupKind.Markdown, value: `lockscope is not running: ${this.grammarError}` } } : null;
    }
    const r = this.analyse(doc);
    if (!r || r.error) return null;
    const at = locksAt(r, line + 1, character + 1);
    if (!at) return null;
    const inTree = this.treePath(uri);
    const callers = inTree && this.external ? this.external.callersOf(inTree, at.fn.name) : [];
    let value = hoverMarkdown(at.fn, at.held, line + 1, uri, callers);
    // on a call: what the callee does with locks (same file first, then the tree index)
    const callee = calleeAt(doc.getText({ start: { line, character: 0 }, end: { line, character: 100000 } }), character);
    const summary = callee && callee !== at.fn.name && !this.analyzer.catalog.primitive(callee)
      ? r.summaries?.get(callee) ?? (inTree ? this.external?.summaryFrom(inTree, callee) : undefined) : undefined;
    if (callee && summary) {
      const ext = this.external;
      const self = inTree && ext ? ext.idOf(inTree, at.fn.name) : undefined;
      const dir = inTree ? path.posix.dirname(inTree) : '.';
      const resolve = ext ? (d: Deferred) => ext.linker.indirect(d.field, { id: self, dir }, 1, (id) => ext.summary(id), d.recvType).targets : undefined;
      value += `\n\n---\n\n${calleeMarkdown(callee, summary, resolve)}`;
    }
    return { contents: { kind: MarkupKind.Markdown, value } };
  }

  /** The call-graph report for the function at a line (needs the tree index). */
  private async callGraph(uri: string, line: number, depth: number): Promise<CallGraphResult | null> {
    const doc = this.documents.get(uri);
    const r = doc ? this.analyse(doc) : undefined;
    const fn = r && functionAt(r, line + 1);
    const file = this.treePath(uri);
    if (!fn || !file || !this.external) return null;
    const findings = [...this.results.values()].flatMap((x) => x.result.findings);
    const g = callGraph(this.external.data, findings, `${file}:${fn.name}`, depth);
    if (!g) return null;
    const dot = toDot(g);
    return { function: fn.name, markdown: toMarkdown(g), dot, svg: await toSvg(dot) };
  }

  /** The lock-order graph of the indexed tree (null until the index is ready, or outside a kernel tree). */
  private async lockOrder(cyclesOnly: boolean, classFilter: string[]): Promise<LockOrderResult | null> {
    if (!this.external) return null;
    const g = lockOrderGraph(this.external.data.order ?? [], { cyclesOnly, classFilter });
    const dot = lockOrderDot(g);
    return { classes: g.classes.length, edges: g.edges.length, cycles: g.cycles, omitted: g.omitted, markdown: lockOrderMarkdown(g), dot, svg: await toSvg(dot) };
  }

  // ---- call hierarchy (through ops tables, with the locks callers hold) ---------------------------

  private itemOf(fn: LinkFn, detail?: string): CallHierarchyItem {
    const line = Math.max(0, (fn.line ?? 1) - 1);
    const end = Math.max(line, (fn.endLine ?? fn.line ?? 1) - 1);
    return {
      name: fn.name, kind: SymbolKind.Function, detail: detail ?? fn.file,
      uri: pathToFileURL(path.join(this.indexRoot ?? '', fn.file)).toString(),
      range: { start: { line, character: 0 }, end: { line: end, character: 1 } },
      selectionRange: { start: { line, character: 0 }, end: { line, character: 1 } },
      data: { file: fn.file, name: fn.name },
    };
  }

  private prepareCallHierarchy(uri: string, line: number): CallHierarchyItem[] | null {
    const doc = this.documents.get(uri);
    const r = doc ? this.analyse(doc) : undefined;
    const fn = r && functionAt(r, line + 1);
    const file = this.treePath(uri);
    if (!fn || !file || !this.external) return null;
    const id = this.external.idOf(file, fn.name);
    if (id === undefined) return null;
    const held = fn.entryHeld.map((h) => h.instance);
    return [this.itemOf({ ...this.external.data.fns[id], line: fn.line, endLine: fn.endLine }, held.length ? `${file} — entered holding ${held.join(', ')}` : file)];
  }

  private incomingCalls(item: CallHierarchyItem): CallHierarchyIncomingCall[] | null {
    const data = item.data as { file: string; name: string } | undefined;
    const id = data && this.external?.idOf(data.file, data.name);
    if (id === undefined || !this.external) return null;
    return this.external.incoming(id).map(({ caller, via, held }) => {
      const detail = [via ? `calls ${via}` : undefined, held.length ? `holds ${held.join(', ')}` : 'holds nothing'].filter(Boolean).join('; ');
      const it = this.itemOf(caller, `${caller.file} — ${detail}`);
      return { from: it, fromRanges: [it.selectionRange] };
    });
  }

  private outgoingCalls(item: CallHierarchyItem): CallHierarchyOutgoingCall[] | null {
    const data = item.data as { file: string; name: string } | undefined;
    const id = data && this.external?.idOf(data.file, data.name);
    if (id === undefined || !this.external) return null;
    return this.external.outgoing(id).map(({ callee, via }) => {
      const it = this.itemOf(callee, via ? `${callee.file} — through ${via}` : callee.file);
      return { to: it, fromRanges: [item.selectionRange] };
    });
  }

  /** The path findings carry: relative to a workspace folder when the file is inside one. */
  private displayPath(uri: string): string {
    if (!uri.startsWith('file:')) return uri;
    const p = fileURLToPath(uri);
    for (const root of this.roots) {
      const rel = relativeInside(root, p);
      if (rel !== undefined) return rel;
    }
    return p;
  }

  /**
   * Re-summarise the functions in other files that call one whose summary changed, and their callers in
   * turn, while summaries keep changing: one file at a time, one event-loop turn each, analysing only
   * those functions (and their callers in the same file), at most MAX_PROPAGATE files; then refresh the
   * open files (where only the functions calling what changed are analysed again).
   */
  private async propagate(start: Map<string, Set<string>>, origin: string): Promise<void> {
    const ext = this.external;
    const root = this.indexRoot;
    if (!ext || !root || !this.analyzer) return;
    const p = new Propagation(ext, start, origin, (file) => {
      const open = this.documents.all().find((d) => this.treePath(d.uri) === file);
      try { return open ? open.getText() : fs.readFileSync(path.join(root, file), 'utf8'); } catch { return undefined; }
    });
    const edits = this.edits;
    while (p.pending) {
      await new Promise<void>((r) => setImmediate(r));
      if (this.external !== ext) return; // re-indexed meanwhile
      if (this.edits !== edits) break; // typing goes on: the next analysis starts its own
      p.step(this.analyzer);
    }
    // open files calling what changed (the edited one too) redo those functions now, not at their next edit
    if (!p.changed) return;
    for (const d of this.documents.all()) {
      if (this.treePath(d.uri)) { this.results.delete(d.uri); this.schedule(d, 0); }
    }
  }

  /** The workspace root a document is in (the first one when it is in none). */
  private rootOf(uri: string): string | undefined {
    if (!uri.startsWith('file:')) return this.roots[0];
    const p = fileURLToPath(uri);
    return this.roots.find((r) => relativeInside(r, p) !== undefined) ?? this.roots[0];
  }

  /** The document's path relative to the indexed tree, when it is inside it. */
  private treePath(uri: string): string | undefined {
    if (!this.indexRoot || !uri.startsWith('file:')) return undefined;
    return relativeInside(this.indexRoot, fileURLToPath(uri));
  }

  private uriOf(file: string, fallback: string): string {
    if (this.indexRoot && !path.isAbsolute(file)) return pathToFileURL(path.join(this.indexRoot, file)).toString();
    if (path.isAbsolute(file)) return pathToFileURL(file).toString();
    for (const root of this.roots) return pathToFileURL(path.join(root, file)).toString();
    return fallback;
  }
}

/**
 * The settings a client sends in workspace/configuration, without those that decide what code is loaded:
 * those come only at start-up (VS Code sends the user-level value of lockscope.grammarDirectory here too).
 */
function withoutStartupSettings(raw: unknown, log: (m: string) => void): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw ?? {};
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const key of Object.keys(STARTUP_SETTINGS)) {
    if (out[key]) log(`lockscope: lockscope.${key} is read only when the server starts (initializationOptions, or lockscope lsp --grammars DIR); the value in workspace/configuration is ignored`);
    delete out[key];
  }
  return out;
}

export interface ServerOptions {
  /** The grammar folder and pinning given on the command line or by the environment. */
  grammar?: GrammarSource;
}

/**
 * The connection: over stdio, stdin goes through the framing guard (a malformed header closes the
 * connection with a message instead of wedging it; a body that is not JSON is answered with a parse
 * error), and the console goes to stderr so that nothing but messages reaches stdout. Other transports
 * (--node-ipc, --socket, --pipe) are vscode-languageserver's own.
 */
function connect(): Connection {
  if (!process.argv.includes('--stdio')) return createConnection(ProposedFeatures.all);
  const guard = new FramingGuard({
    parseError: (detail) => process.stdout.write(parseErrorResponse(detail)),
    fatal: (detail) => {
      process.stderr.write(`lockscope: closing the connection: the client sent ${detail}\n`);
      process.exit(1);
    },
  });
  process.stdin.pipe(guard);
  console.log = console.error; // a stray console.log (from a dependency) must not corrupt the stream
  console.info = console.error;
  return createConnection(ProposedFeatures.all, guard, process.stdout);
}

export function startServer(options: ServerOptions = {}): LockscopeServer {
  const connection = connect();
  process.on('unhandledRejection', (e) => connection.console.error(`lockscope: unhandled rejection: ${String((e as Error)?.stack ?? e)}`));
  const server = new LockscopeServer(connection, options);
  server.register();
  return server;
}
