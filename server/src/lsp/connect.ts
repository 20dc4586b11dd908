/**
 * The connection. Every transport's messages pass the protocol gate (gate.ts: no request before
 * initialize, one initialize, none after shutdown). Over stdio, stdin goes through the framing guard
 * first (framing.ts: a malformed header closes the connection with a message instead of wedging it; a
 * body that is not JSON is answered with a parse error), and the console goes to stderr so that nothing
 * but messages reaches stdout. The other transports (--node-ipc, --socket, --pipe) are
 * vscode-languageserver's own, chosen from the command line.
 */
import { type Connection, ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { FramingGuard, parseErrorResponse } from './framing';
import { ProtocolGate, REFUSE, refuse } from './gate';

export function connect(): Connection {
  const options = { messageStrategy: new ProtocolGate() };
  const connection = process.argv.includes('--stdio')
    ? createConnection(ProposedFeatures.all, guardedStdin(), process.stdout, options)
    : createConnection(ProposedFeatures.all, options);
  connection.onRequest(REFUSE, refuse);
  return connection;
}

function guardedStdin(): FramingGuard {
  const guard = new FramingGuard({
    parseError: (detail) => process.stdout.write(parseErrorResponse(detail)),
    fatal: (detail) => {
      process.stderr.write(`lockscope: closing the connection: the client sent ${detail}\n`);
      process.exit(1);
    },
  });
  process.stdin.pipe(guard);
  // a stray console.log (from a dependency) must not corrupt the stream
  // eslint-disable-next-line no-console
  console.log = console.error;
  // eslint-disable-next-line no-console
  console.info = console.error;
  return guard;
}
