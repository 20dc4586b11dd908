/**
 * The language server: glue between LSP and lockscope (bash-language-server's shape). `startServer`
 * connects (lsp/connect.ts: framing guard, protocol states) and, on `initialize`, builds a LockscopeServer
 * from what the client said — `LockscopeServer.initialize`, the factory — which answers `capabilities()`
 * and `register`s one handler per request, each behind the edge (lsp/edge.ts: params checked, exceptions
 * answered as ResponseErrors) and delegating to one module in lsp/. Start-up work (settings, grammar,
 * indexing) runs after `initialized`, never blocking `initialize`. Nothing here writes to a user's files.
 */
import {
  CallHierarchyIncomingCallsRequest as Incoming,
  CallHierarchyOutgoingCallsRequest as Outgoing,
  CallHierarchyPrepareRequest as Prepare,
  CodeActionKind,
  CodeActionRequest,
  type Connection,
  HoverRequest,
  type InitializeError,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import {
  CallGraphRequest,
  FindingsChangedNotification,
  FindingsRequest,
  IndexStatusRequest,
  LockOrderRequest,
  MapSplatRequest,
  MemoryRequest,
  ReindexRequest,
} from './protocol';
import { AnalyzerHost } from './lsp/analyzer';
import { CallHierarchyFeature } from './lsp/call-hierarchy';
import { CodeActionsFeature } from './lsp/code-actions';
import { connect } from './lsp/connect';
import { Documents } from './lsp/documents';
import { Edge } from './lsp/edge';
import { FindingsFeature } from './lsp/findings';
import { HoverFeature } from './lsp/hover';
import { Indexing } from './lsp/indexing';
import { logTo } from './lsp/log';
import * as P from './lsp/params';
import { Propagator } from './lsp/propagation';
import { ReportsFeature } from './lsp/reports';
import { SplatFeature } from './lsp/splat';
import { Scheduler } from './lsp/scheduler';
import { Configuration } from './lsp/settings';
import { type ServerOptions, startupOf } from './lsp/startup';
import { StatusFeature } from './lsp/status';
import { Workspace } from './lsp/workspace';

export type { ServerOptions } from './lsp/startup';
export { connect } from './lsp/connect';

/** The modules a server is made of (lsp/), built once per initialize. */
interface Parts {
  config: Configuration;
  engine: AnalyzerHost;
  indexing: Indexing;
  documents: Documents;
  scheduler: Scheduler;
  hover: HoverFeature;
  calls: CallHierarchyFeature;
  actions: CodeActionsFeature;
  reports: ReportsFeature;
  findings: FindingsFeature;
  status: StatusFeature;
  splat: SplatFeature;
}

export class LockscopeServer {
  /** Kept so that tests and settings changes can wait for the start-up work. */
  ready: Promise<void> = Promise.resolve();

  private constructor(private readonly parts: Parts) {}

  /** The factory: a server for what `initialize` said (folders, client capabilities, start-up options). */
  static initialize(connection: Connection, params: InitializeParams, options: ServerOptions = {}): LockscopeServer {
    const log = logTo(connection);
    const startup = startupOf(params, options, (m) => log.log(m));
    const workspace = new Workspace(startup.roots);
    const config = new Configuration(connection, startup, log, () => workspace.kernelTree());
    const engine = new AnalyzerHost(startup.grammar, log);
    // documents, indexing and propagation reach each other only through these hooks (made before they are used)
    const indexing: Indexing = new Indexing(connection, startup, workspace, config, log, {
      openFiles: () => documents.inTree().map((d) => d.file),
      indexed: () => {
        scheduler.refreshAll();
        // the findings view asks again for the whole tree's findings
        void connection.sendNotification(FindingsChangedNotification);
      },
    });
    const documents: Documents = new Documents(engine, indexing, workspace, log, {
      summariesChanged: (stale, origin) => void propagator.run(stale, origin),
    });
    const scheduler = new Scheduler(connection, documents, config, workspace);
    const propagator = new Propagator(engine, indexing, documents, scheduler, workspace);
    return new LockscopeServer({
      config,
      engine,
      indexing,
      documents,
      scheduler,
      hover: new HoverFeature(documents, engine, indexing, workspace),
      calls: new CallHierarchyFeature(documents, indexing, workspace),
      actions: new CodeActionsFeature(documents, workspace, startup.canDocumentChanges),
      reports: new ReportsFeature(documents, indexing, workspace),
      findings: new FindingsFeature(documents, indexing, config, workspace),
      status: new StatusFeature(indexing, documents),
      splat: new SplatFeature(indexing, workspace),
    });
  }

  capabilities(): ServerCapabilities {
    return {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      callHierarchyProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
    };
  }

  register(connection: Connection, edge = new Edge(connection)): void {
    const { hover, calls, actions, reports, findings, status, documents } = this.parts;
    // other settings or baselines filter the findings view differently: it asks again
    const reload = () => this.reload().then(() => connection.sendNotification(FindingsChangedNotification));
    connection.onInitialized(edge.notification('initialized', () => (this.ready = this.start())));
    connection.onDidChangeConfiguration(edge.notification('workspace/didChangeConfiguration', reload));
    // .lockscope.json or the baseline changed (the client watches them)
    connection.onDidChangeWatchedFiles(edge.notification('workspace/didChangeWatchedFiles', reload));
    edge.on(HoverRequest.type, P.textDocumentPosition, (p) => hover.onHover(p));
    edge.on(CodeActionRequest.type, P.codeActionParams, (p) => actions.onCodeAction(p));
    edge.on(Prepare.type, P.textDocumentPosition, (p) => calls.onPrepare(p));
    edge.on(Incoming.type, P.callHierarchyCallsParams, (p) => calls.onIncoming(p));
    edge.on(Outgoing.type, P.callHierarchyCallsParams, (p) => calls.onOutgoing(p));
    edge.on(CallGraphRequest, P.callGraphParams, (p) => reports.callGraph(p));
    edge.on(LockOrderRequest, P.lockOrderParams, (p) => reports.lockOrder(p));
    edge.on(FindingsRequest, P.findingsParams, (p) => findings.findings(p));
    edge.on(MapSplatRequest, P.mapSplatParams, (p) => this.parts.splat.mapSplat(p));
    edge.on0(IndexStatusRequest, () => status.indexStatus());
    edge.on0(ReindexRequest, () => status.reindex());
    edge.on0(MemoryRequest, () => status.memory());
    connection.onShutdown(edge.handler0('shutdown', () => this.shutdown()));
    documents.listen(edge.documentSync());
  }

  /** After `initialized`: settings, the grammar, the open documents, then indexing in the background. */
  private async start(): Promise<void> {
    const { config, engine, indexing, scheduler } = this.parts;
    await config.watch();
    await config.load();
    await engine.load(config.settings);
    scheduler.scheduleAll();
    if (engine.analyzer) void indexing.start();
    else indexing.unavailable(`no grammar to analyse with: ${engine.error}`);
  }

  /** Settings, .lockscope.json or a baseline changed: reload them, and analyse every document again. */
  private async reload(): Promise<void> {
    const { config, engine, documents, scheduler } = this.parts;
    await this.ready;
    await config.load();
    await engine.load(config.settings);
    documents.settingsChanged();
    scheduler.scheduleAll();
  }

  private async shutdown(): Promise<void> {
    this.parts.scheduler.dispose();
    await this.parts.indexing.stop();
  }
}

/** Serve LSP on the transport the command line names (--stdio, --node-ipc, --socket=N, --pipe=NAME). */
export function startServer(options: ServerOptions = {}): Connection {
  const connection = connect();
  process.on('unhandledRejection', (e) => {
    connection.console.error(`lockscope: unhandled rejection: ${String((e as Error)?.stack ?? e)}`);
  });
  const edge = new Edge(connection);
  connection.onInitialize(
    edge.handler<InitializeParams, InitializeResult, InitializeError>('initialize', P.initializeParams, (params) => {
      const server = LockscopeServer.initialize(connection, params, options);
      server.register(connection, edge);
      return { capabilities: server.capabilities(), serverInfo: { name: 'lockscope', version: '0.1.0' } };
    }),
  );
  connection.listen();
  return connection;
}
