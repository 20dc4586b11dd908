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
import { noParams, problemOf } from './params';

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

  /** A request with params. */
  on<P, R>(type: RequestType<P, R, unknown>, schema: z.ZodType, fn: (params: P) => R | Promise<R>): void {
    const handler = guard(this.log, type.method, schema, fn);
    this.connection.onRequest(type, handler as unknown as RequestHandler<P, R, unknown>);
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
