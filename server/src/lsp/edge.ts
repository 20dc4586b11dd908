/**
 * The edge every handler sits behind. A request's params are checked against its schema (params.ts):
 * a mismatch is answered InvalidParams naming the parameter, and the handler never runs. An exception
 * inside a handler is answered InternalError with a one-line message, and its stack goes to the client's
 * log (window/logMessage) — never raw `TypeError` text in a reply. A notification handler's exception is
 * logged the same way (there is no one to answer).
 */
import {
  type Connection,
  ErrorCodes,
  type NotificationHandler,
  type RequestHandler,
  type RequestHandler0,
  type RequestType,
  type RequestType0,
  ResponseError,
} from 'vscode-languageserver/node';
import type { z } from 'zod';
import { documentSync, noParams, problemOf } from './params';

/** Where the edge logs an exception's stack (the connection's console: window/logMessage). */
export interface ErrorLog {
  error(message: string): void;
}

/** A guarded handler; `E` is the type of an error's data (none is ever set: `E` only fits the protocol's types). */
export type Guarded<R, E = void> = (params: unknown) => Promise<R | ResponseError<E>>;

/** `fn` behind the edge: it gets the params as sent once they fit `schema` (typed as the protocol's `P`). */
export function guard<P, R, E = void>(
  log: ErrorLog,
  method: string,
  schema: z.ZodType,
  fn: (params: P) => R | Promise<R>,
): Guarded<R, E> {
  return async (params) => {
    const problem = problemOf(schema, params);
    if (problem) return new ResponseError<E>(ErrorCodes.InvalidParams, `lockscope: ${method}: ${problem}`);
    try {
      return await fn(params as P);
    } catch (e) {
      if (e instanceof ResponseError) return e as ResponseError<E>;
      return new ResponseError<E>(ErrorCodes.InternalError, internalError(log, method, e));
    }
  };
}

/** A notification handler whose exceptions (async ones too) are logged, not lost. */
export function guardNotification<P>(
  log: ErrorLog,
  method: string,
  fn: (params: P) => unknown,
): NotificationHandler<P> {
  return (params) => {
    try {
      const r = fn(params);
      if (r instanceof Promise) r.catch((e: unknown) => internalError(log, method, e));
    } catch (e) {
      internalError(log, method, e);
    }
  };
}

/** Log `e` with its stack; the one-line message the client is answered with. */
function internalError(log: ErrorLog, method: string, e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  log.error(`lockscope: internal error in ${method}: ${err.stack ?? err.message}`);
  const first = err.message.split('\n')[0].slice(0, 200);
  return `lockscope: internal error in ${method} (details in the lockscope log): ${first}`;
}

/** Registers handlers on a connection, each behind the edge. */
export class Edge {
  private readonly log: ErrorLog;

  constructor(private readonly connection: Connection) {
    this.log = { error: (m) => connection.console.error(m) };
  }

  /**
   * A request with params. Registered by method name, so that a request sent with no params at all reaches
   * the edge too (registered by type, vscode-jsonrpc answers it with its own text).
   */
  on<P, R>(type: RequestType<P, R, unknown>, schema: z.ZodType, fn: (params: P) => R | Promise<R>): void {
    const handler = guard(this.log, type.method, schema, fn);
    this.connection.onRequest(type.method, handler as unknown as RequestHandler<unknown, R, unknown>);
  }

  /**
   * The connection as `TextDocuments.listen` sees it: each document-sync notification is checked against its
   * schema first; one that does not fit is logged (window/logMessage) and dropped, never stored.
   */
  documentSync(): Connection {
    const c = this.connection;
    // each wrapper has the type of the handler it wraps: `never` lets it stand in for any of them
    const checked =
      (method: keyof typeof documentSync) =>
      (handler: (params: unknown, ...rest: unknown[]) => unknown): never =>
        ((params: unknown, ...rest: unknown[]): unknown => {
          const problem = problemOf(documentSync[method], params);
          if (!problem) return handler(params, ...rest);
          this.log.error(`lockscope: ${method}: ${problem}; ignored`);
          return method === 'textDocument/willSaveWaitUntil'
            ? new ResponseError(ErrorCodes.InvalidParams, `lockscope: ${method}: ${problem}`)
            : undefined;
        }) as never;
    const wrapped: Partial<Record<keyof Connection, unknown>> = {
      onDidOpenTextDocument: (h: never) => c.onDidOpenTextDocument(checked('textDocument/didOpen')(h)),
      onDidChangeTextDocument: (h: never) => c.onDidChangeTextDocument(checked('textDocument/didChange')(h)),
      onDidCloseTextDocument: (h: never) => c.onDidCloseTextDocument(checked('textDocument/didClose')(h)),
      onWillSaveTextDocument: (h: never) => c.onWillSaveTextDocument(checked('textDocument/willSave')(h)),
      onWillSaveTextDocumentWaitUntil: (h: never) =>
        c.onWillSaveTextDocumentWaitUntil(checked('textDocument/willSaveWaitUntil')(h)),
      onDidSaveTextDocument: (h: never) => c.onDidSaveTextDocument(checked('textDocument/didSave')(h)),
    };
    return new Proxy(c, {
      get: (target, prop, receiver) =>
        prop in wrapped ? wrapped[prop as keyof Connection] : (Reflect.get(target, prop, receiver) as unknown),
    });
  }

  /** A request without params (any params sent are ignored). */
  on0<R>(type: RequestType0<R, unknown>, fn: () => R | Promise<R>): void {
    const handler = this.handler0(type.method, fn);
    this.connection.onRequest(type, handler as unknown as RequestHandler0<R, unknown>);
  }

  /** A handler with params behind the edge (for `connection.onX(...)`, e.g. initialize). */
  handler<P, R, E = void>(
    method: string,
    schema: z.ZodType,
    fn: (params: P) => R | Promise<R>,
  ): (params: P) => Promise<R | ResponseError<E>> {
    return guard<P, R, E>(this.log, method, schema, fn);
  }

  /** A handler without params behind the edge (for `connection.onX(...)`, e.g. shutdown). */
  handler0<R>(method: string, fn: () => R | Promise<R>): () => Promise<R | ResponseError> {
    const guarded = guard(this.log, method, noParams, fn);
    return () => guarded(undefined);
  }

  /** A notification handler behind the edge (for `connection.onX(...)`). */
  notification<P>(method: string, fn: (params: P) => unknown): NotificationHandler<P> {
    return guardNotification(this.log, method, fn);
  }
}
