/**
 * The one way the server talks to the user outside results: a line in the client's log
 * (window/logMessage), or a message shown in front of the user (window/showMessage, logged too).
 */
import { type Connection, MessageType, ShowMessageNotification } from 'vscode-languageserver/node';

export interface Log {
  /** A line in the lockscope log. */
  log(message: string): void;
  /** An error line (with a stack, say) in the lockscope log. */
  error(message: string): void;
  /** Logged, and shown to the user (a warning or an error). */
  show(type: MessageType, message: string): void;
}

export function logTo(connection: Connection): Log {
  return {
    log: (m) => connection.console.log(m),
    error: (m) => connection.console.error(m),
    show: (type, m) => {
      connection.console.log(m);
      void connection.sendNotification(ShowMessageNotification.type, { type, message: m });
    },
  };
}

export { MessageType };
