/**
 * The protocol's states, enforced before any handler sees a message (vscode-jsonrpc's `messageStrategy`,
 * so it holds for every transport): before `initialize`, a request is answered ServerNotInitialized
 * (-32002) and a notification is dropped (`exit` aside); `initialize` whose params are not an object with
 * `capabilities` is answered InvalidParams and may be sent again; a second `initialize` is refused
 * (InvalidRequest); after `shutdown`, a request is refused (InvalidRequest).
 *
 * A refused request is still answered by the connection (in order, through its own writer): the gate
 * passes it on renamed to REFUSE, with the error as its params, and REFUSE's handler (`refuse`,
 * registered by connect.ts) throws that error. A client cannot send REFUSE itself: it is refused.
 */
import {
  ErrorCodes,
  InitializeRequest,
  type Message,
  type MessageStrategy,
  type NotificationMessage,
  type RequestMessage,
  ResponseError,
  ShutdownRequest,
  ExitNotification,
} from 'vscode-languageserver/node';
import { initializeParams, problemOf } from './params';

/** The method a refused request is renamed to. */
export const REFUSE = '$/lockscope/refuse';

type State = 'new' | 'running' | 'shutdown';
type Next = (message: Message) => ReturnType<MessageStrategy['handleMessage']>;
interface Refusal {
  code: number;
  message: string;
}

export class ProtocolGate implements MessageStrategy {
  private state: State = 'new';

  handleMessage(message: Message, next: Next): ReturnType<MessageStrategy['handleMessage']> {
    const m = message as Partial<RequestMessage & NotificationMessage>;
    if (typeof m.method !== 'string') return next(message); // a response to one of the server's requests
    if (m.id === undefined) {
      // a notification: before initialize only `exit` means something
      return this.state === 'new' && m.method !== ExitNotification.method ? undefined : next(message);
    }
    const refusal = this.admit(m.method, m.params);
    return refusal ? next({ ...message, method: REFUSE, params: refusal } as RequestMessage) : next(message);
  }

  /** Why a request is refused in the current state, or undefined when it goes on (and the state moves). */
  private admit(method: string, params: unknown): Refusal | undefined {
    if (method === REFUSE) return { code: ErrorCodes.MethodNotFound, message: `Unhandled method ${REFUSE}` };
    if (method === InitializeRequest.method) {
      if (this.state !== 'new') {
        return { code: ErrorCodes.InvalidRequest, message: 'lockscope: initialize was already received' };
      }
      const problem = problemOf(initializeParams, params);
      if (problem) return { code: ErrorCodes.InvalidParams, message: `lockscope: initialize: ${problem}` };
      this.state = 'running';
      return undefined;
    }
    if (this.state === 'new') {
      return { code: ErrorCodes.ServerNotInitialized, message: `lockscope: ${method} before initialize` };
    }
    if (this.state === 'shutdown') {
      return { code: ErrorCodes.InvalidRequest, message: `lockscope: ${method} after shutdown` };
    }
    if (method === ShutdownRequest.method) this.state = 'shutdown';
    return undefined;
  }
}

/** REFUSE's handler: the error the gate decided on. */
export function refuse(params: unknown): never {
  const r = params as Refusal;
  throw new ResponseError(r.code, r.message);
}
