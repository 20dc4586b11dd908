/**
 * A minimal LSP client for tests: spawns a real server over stdio (by default the bundled
 * `dist/server.js --stdio`) and talks to it with vscode-languageserver-protocol. Everything the
 * server sends is recorded, so waiting never races with a notification that already arrived, and
 * every wait has a timeout (unref()'d, so node:test never waits for a timer). No sleeps.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  type Hover,
  HoverRequest,
  IPCMessageReader,
  IPCMessageWriter,
  InitializeRequest,
  type InitializeResult,
  InitializedNotification,
  LogMessageNotification,
  type LogMessageParams,
  MessageType,
  NotificationType,
  type ProtocolConnection,
  PublishDiagnosticsNotification,
  type PublishDiagnosticsParams,
  RegistrationRequest,
  ShowMessageNotification,
  ShowMessageRequest,
  type ShowMessageParams,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  UnregistrationRequest,
  WorkDoneProgressCreateRequest,
  createProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { FindingsChangedNotification } from '../../server/src/protocol';

export { MessageType };

/** The server's own notifications a test can wait for. */
const LOCKSCOPE_NOTIFICATIONS = [FindingsChangedNotification.method];

const ProgressNotification = new NotificationType<{
  token: unknown;
  value: { kind: string; message?: string; percentage?: number };
}>('$/progress');

/** A diagnostic's message as text (LSP 3.18 allows markup there). */
export function messageOf(d: { message: string | { value: string } }): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

/** The repository root (tests are bundled into test/out/**, so walk up to package.json). */
export function root(): string {
  for (let d = __dirname; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'server'))) return d;
    if (path.dirname(d) === d) throw new Error('repository root not found');
  }
}

export function defaultServerPath(): string {
  return path.join(root(), 'dist', 'server.js');
}

export function fileUri(p: string): string {
  return pathToFileURL(p).href;
}

export interface StartOptions {
  /** Path of the server script (run with `node <server> --stdio`); default dist/server.js. */
  server?: string;
  /** Extra environment for the server process. */
  env?: NodeJS.ProcessEnv;
  /** Default timeout of every wait, in ms. */
  timeoutMs?: number;
  /** Arguments for node before the server script (e.g. --expose-gc), stdio transport only. */
  nodeArgs?: string[];
  /** `stdio` (default) or `ipc` (node's IPC channel, as the VS Code client uses). */
  transport?: 'stdio' | 'ipc';
}

export interface InitOptions {
  /** Workspace folders (file system paths). */
  folders?: string[];
  /**
   * Settings returned for workspace/configuration, keyed by section root (e.g. `{ lockscope: {...} }`).
   * When given, the client declares workspace.configuration; when undefined it does not.
   */
  settings?: Record<string, unknown>;
  /** Declare window.workDoneProgress, so the server reports indexing progress. */
  progress?: boolean;
  /** initializationOptions (what the VS Code client sends from the user's own settings). */
  initializationOptions?: Record<string, unknown>;
}

/** A message the server asked the editor to show; `request` tells window/showMessageRequest from the notification. */
export interface ShownMessage extends ShowMessageParams {
  request: boolean;
}

interface Waiter<T> {
  pred: (x: T) => boolean;
  resolve: (x: T) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Everything the server sent, in order, with waits that look at history first. */
class Channel<T> {
  readonly items: T[] = [];
  private waiters: Waiter<T>[] = [];
  constructor(private readonly what: string) {}

  push(x: T): void {
    this.items.push(x);
    for (const w of [...this.waiters]) {
      if (w.pred(x)) {
        this.drop(w);
        w.resolve(x);
      }
    }
  }

  /** The first item at index >= `since` matching `pred`, now or when it arrives. */
  wait(pred: (x: T) => boolean, since: number, timeoutMs: number, describe: () => string): Promise<T> {
    for (let i = since; i < this.items.length; i++) if (pred(this.items[i])) return Promise.resolve(this.items[i]);
    return new Promise<T>((resolve, reject) => {
      const w: Waiter<T> = {
        pred,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.drop(w);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${this.what}; ${describe()}`));
        }, timeoutMs),
      };
      w.timer.unref();
      this.waiters.push(w);
    });
  }

  failAll(e: Error): void {
    for (const w of [...this.waiters]) {
      this.drop(w);
      w.reject(e);
    }
  }

  private drop(w: Waiter<T>): void {
    clearTimeout(w.timer);
    this.waiters = this.waiters.filter((x) => x !== w);
  }
}

export class LspClient {
  readonly proc: ChildProcess;
  readonly conn: ProtocolConnection;
  readonly diagnostics = new Channel<PublishDiagnosticsParams>('publishDiagnostics');
  readonly messages = new Channel<ShownMessage>('window/showMessage or window/showMessageRequest');
  readonly logs: LogMessageParams[] = [];
  /** lockscope's own notifications (LOCKSCOPE_NOTIFICATIONS), in order. */
  readonly notifications = new Channel<{ method: string; params: unknown }>('a notification');
  /** Tokens the server created with window/workDoneProgress/create, and every $/progress value. */
  readonly progressTokens: unknown[] = [];
  readonly progress: { kind: string; message?: string; percentage?: number }[] = [];
  /** Every workspace/configuration request the server made. */
  readonly configurationRequests: unknown[] = [];
  stderr = '';
  /** The server's answer to initialize. */
  initResult: InitializeResult | undefined;
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private settings: Record<string, unknown> | undefined;
  private readonly timeoutMs: number;

  constructor(opts: StartOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 15000;
    const server = opts.server ?? defaultServerPath();
    const ipc = opts.transport === 'ipc';
    this.proc = ipc
      ? fork(server, ['--node-ipc'], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ...opts.env } })
      : spawn(process.execPath, [...(opts.nodeArgs ?? []), server, '--stdio'], {
          stdio: ['pipe', 'pipe', 'pipe'],
          env: { ...process.env, ...opts.env },
        });
    this.proc.stderr!.setEncoding('utf8');
    this.proc.stderr!.on('data', (d: string) => {
      this.stderr += d;
    });
    this.proc.on('exit', (code, signal) => {
      this.exited = { code, signal };
      const e = new Error(`server exited (code ${code}, signal ${signal}); stderr:\n${this.stderr}`);
      this.diagnostics.failAll(e);
      this.messages.failAll(e);
    });
    // writing to a dead server must not crash the test process
    this.proc.stdin!.on('error', () => {});
    this.conn = ipc
      ? createProtocolConnection(new IPCMessageReader(this.proc), new IPCMessageWriter(this.proc))
      : createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification(PublishDiagnosticsNotification.type, (p) => this.diagnostics.push(p));
    // window/showMessage and window/showMessageRequest (vscode-languageserver's show*Message send
    // the request form) both end up in front of the user; both are recorded, requests answered null
    this.conn.onNotification(ShowMessageNotification.type, (p) =>
      this.messages.push({ type: p.type, message: p.message, request: false }),
    );
    this.conn.onRequest(ShowMessageRequest.type, (p) => {
      this.messages.push({ type: p.type, message: p.message, request: true });
      return null;
    });
    this.conn.onNotification(LogMessageNotification.type, (p) => {
      this.logs.push(p);
    });
    this.conn.onRequest(ConfigurationRequest.type, (p) => {
      this.configurationRequests.push(p);
      return p.items.map((item) => this.section(item.section));
    });
    this.conn.onRequest(RegistrationRequest.type, () => {});
    this.conn.onRequest(UnregistrationRequest.type, () => {});
    this.conn.onRequest(WorkDoneProgressCreateRequest.type, (p) => {
      this.progressTokens.push(p.token);
    });
    this.conn.onNotification(
      ProgressNotification,
      (p: { token: unknown; value: { kind: string; message?: string; percentage?: number } }) => {
        this.progress.push(p.value);
      },
    );
    for (const method of LOCKSCOPE_NOTIFICATIONS)
      this.conn.onNotification(method, (params: unknown) => this.notifications.push({ method, params }));
    this.conn.onError(() => {
      /* reported through exit / timeouts */
    });
    this.conn.listen();
  }

  /** The value of a configuration section such as `lockscope` or `lockscope.maxFileSizeKB`. */
  private section(section: string | undefined): unknown {
    if (!this.settings) return null;
    if (!section) return this.settings;
    let v: unknown = this.settings;
    for (const part of section.split('.')) {
      if (v && typeof v === 'object' && part in (v as object)) v = (v as Record<string, unknown>)[part];
      else return null;
    }
    return v;
  }

  async initialize(opts: InitOptions = {}): Promise<InitializeResult> {
    this.settings = opts.settings;
    const folders = (opts.folders ?? []).map((f) => ({ uri: fileUri(f), name: path.basename(f) }));
    const result = await this.withTimeout(
      this.conn.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: folders[0]?.uri ?? null,
        workspaceFolders: folders.length ? folders : null,
        ...(opts.initializationOptions ? { initializationOptions: opts.initializationOptions } : {}),
        capabilities: {
          workspace: {
            configuration: opts.settings !== undefined,
            didChangeConfiguration: { dynamicRegistration: true },
            workspaceFolders: true,
            workspaceEdit: { documentChanges: true, resourceOperations: ['create'] },
          },
          textDocument: {
            synchronization: { dynamicRegistration: false, didSave: false },
            hover: { contentFormat: ['markdown', 'plaintext'] },
            publishDiagnostics: { relatedInformation: true, versionSupport: true },
          },
          window: { showMessage: {}, workDoneProgress: opts.progress === true },
        },
      }),
      'initialize',
    );
    this.initResult = result;
    await this.conn.sendNotification(InitializedNotification.type, {});
    return result;
  }

  /** Replace the settings and tell the server (it re-reads them with workspace/configuration). */
  async changeSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  async open(uri: string, text: string, version = 1, languageId = 'c'): Promise<void> {
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId, version, text },
    });
  }

  /** Replace the whole text of an open document. */
  async change(uri: string, version: number, text: string): Promise<void> {
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** A position in the history; pass it as `since` to wait only for what arrives after it. */
  mark(): { diagnostics: number; messages: number } {
    return { diagnostics: this.diagnostics.items.length, messages: this.messages.items.length };
  }

  /**
   * The first publishDiagnostics for `uri` (optionally: for document `version`, arriving at or after
   * history index `since`, and matching `pred`).
   */
  waitForDiagnostics(
    uri: string,
    opts: {
      version?: number;
      since?: number;
      pred?: (p: PublishDiagnosticsParams) => boolean;
      timeoutMs?: number;
    } = {},
  ): Promise<PublishDiagnosticsParams> {
    const pred = (p: PublishDiagnosticsParams) =>
      p.uri === uri && (opts.version === undefined || p.version === opts.version) && (!opts.pred || opts.pred(p));
    return this.diagnostics.wait(pred, opts.since ?? 0, opts.timeoutMs ?? this.timeoutMs, () => {
      const received = this.diagnostics.items.map((p) => ({ uri: p.uri, version: p.version, n: p.diagnostics.length }));
      const version = opts.version !== undefined ? ` version ${opts.version}` : '';
      return `uri ${uri}${version}; received ${JSON.stringify(received)}; stderr: ${this.stderr}`;
    });
  }

  /** The first notification `method` (at or after history index `since`), now or when it arrives. */
  waitForNotification(method: string, opts: { since?: number; timeoutMs?: number } = {}): Promise<unknown> {
    return this.notifications
      .wait(
        (n) => n.method === method,
        opts.since ?? 0,
        opts.timeoutMs ?? this.timeoutMs,
        () => `received ${JSON.stringify(this.notifications.items.map((n) => n.method))}; stderr: ${this.stderr}`,
      )
      .then((n) => n.params);
  }

  waitForMessage(
    pred: (m: ShownMessage) => boolean,
    opts: { since?: number; timeoutMs?: number } = {},
  ): Promise<ShownMessage> {
    return this.messages.wait(
      pred,
      opts.since ?? 0,
      opts.timeoutMs ?? this.timeoutMs,
      () => `received ${JSON.stringify(this.messages.items)}; stderr: ${this.stderr}`,
    );
  }

  /** Any request, with the client's timeout (custom requests such as lockscope/memory, call hierarchy). */
  request<R>(method: string, params?: unknown): Promise<R> {
    return this.withTimeout(this.conn.sendRequest(method, params) as Promise<R>, method);
  }

  /** Incremental edits (ranges in LSP positions), as a client with incremental sync sends them. */
  async edit(
    uri: string,
    version: number,
    changes: {
      range: { start: { line: number; character: number }; end: { line: number; character: number } };
      text: string;
    }[],
  ): Promise<void> {
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: changes,
    });
  }

  hover(uri: string, line: number, character: number): Promise<Hover | null> {
    return this.withTimeout(
      this.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } }),
      'hover',
    );
  }

  /** The hover's text (markdown or plain), or undefined when the server answered null. */
  async hoverText(uri: string, line: number, character: number): Promise<string | undefined> {
    const h = await this.hover(uri, line, character);
    if (!h) return undefined;
    const c = h.contents;
    const one = (x: unknown): string => (typeof x === 'string' ? x : (x as { value: string }).value);
    return Array.isArray(c) ? c.map(one).join('\n') : one(c);
  }

  /** shutdown + exit, then wait for the process to end; kills it if it does not. */
  async shutdown(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exited) {
      const ended = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
      try {
        await this.withTimeout(this.conn.sendRequest(ShutdownRequest.type), 'shutdown');
        await this.conn.sendNotification(ExitNotification.type);
        await this.withTimeout(ended, 'process exit after the exit notification');
      } finally {
        this.dispose();
      }
    }
    return this.exited ?? { code: null, signal: null };
  }

  /** Drop the connection and kill the server if it is still running (safe to call twice). */
  dispose(): void {
    this.conn.dispose();
    if (!this.exited && this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }

  private withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${this.timeoutMs} ms waiting for ${what}; stderr: ${this.stderr}`)),
        this.timeoutMs,
      );
      timer.unref();
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }
}

/** Start a server and initialize it. Call `client.dispose()` in t.after / after() to kill it on failure. */
export async function startServer(init: InitOptions = {}, opts: StartOptions = {}): Promise<LspClient> {
  const client = new LspClient(opts);
  try {
    await client.initialize(init);
  } catch (e) {
    client.dispose();
    throw e;
  }
  return client;
}
