/**
 * The edge every request handler sits behind (server/src/lsp/edge.ts), on its own: params that do not fit
 * the schema are answered InvalidParams naming the parameter and the handler never runs; an exception in a
 * handler (sync or async) is answered InternalError with a one-line message, its stack going to the log;
 * a notification handler's exception is logged, not lost. (The server's own handlers catch what they can:
 * no request makes one throw, so the conversion is tested here, directly.)
 */
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { guard, guardNotification } from '../../server/src/lsp/edge';
import { textDocumentPosition } from '../../server/src/lsp/params';

function recorder(): { lines: string[]; error: (m: string) => void } {
  const lines: string[] = [];
  return { lines, error: (m) => lines.push(m) };
}

const GOOD = { textDocument: { uri: 'file:///x.c' }, position: { line: 1, character: 2 } };

describe('the edge', () => {
  test('params that fit reach the handler as sent, and its answer is the reply', async () => {
    const log = recorder();
    const h = guard(log, 'textDocument/hover', textDocumentPosition, (p: typeof GOOD & { extra?: number }) => p);
    const sent = { ...GOOD, extra: 7 };
    assert.equal(await h(sent), sent, 'nothing stripped, nothing copied');
    assert.deepEqual(log.lines, []);
  });

  test('params that do not fit: InvalidParams naming the parameter; the handler does not run', async () => {
    let ran = false;
    const h = guard(recorder(), 'textDocument/hover', textDocumentPosition, () => {
      ran = true;
      return null;
    });
    const r = await h({ textDocument: { uri: 1 }, position: { line: 0, character: 0 } });
    assert.ok(r instanceof ResponseError);
    assert.equal(r.code, ErrorCodes.InvalidParams);
    assert.match(
      r.message,
      /^lockscope: textDocument\/hover: invalid parameter "textDocument\.uri": expected string, received number$/,
    );
    assert.equal(ran, false);
  });

  for (const [kind, fn] of [
    [
      'a handler that throws',
      () => {
        throw new TypeError("Cannot read properties of undefined (reading 'line')\nsecond line");
      },
    ],
    [
      'an async handler that rejects',
      async () => {
        await Promise.resolve();
        throw new TypeError("Cannot read properties of undefined (reading 'line')\nsecond line");
      },
    ],
  ] as const) {
    test(`${kind}: InternalError with a one-line message; the stack goes to the log`, async () => {
      const log = recorder();
      const r = await guard(log, 'textDocument/hover', textDocumentPosition, fn)(GOOD);
      assert.ok(r instanceof ResponseError);
      assert.equal(r.code, ErrorCodes.InternalError);
      assert.doesNotMatch(r.message, /\n/);
      assert.match(r.message, /^lockscope: internal error in textDocument\/hover \(details in the lockscope log\): /);
      assert.equal(log.lines.length, 1);
      assert.match(log.lines[0], /internal error in textDocument\/hover: TypeError: Cannot read properties/);
      assert.match(log.lines[0], /\n\s+at /, 'the log has the stack');
    });
  }

  test('a ResponseError thrown by a handler is the reply as it is', async () => {
    const mine = new ResponseError(ErrorCodes.InvalidRequest, 'refused');
    const r = await guard(recorder(), 'lockscope/callGraph', textDocumentPosition, () => {
      throw mine;
    })(GOOD);
    assert.equal(r, mine);
  });

  test('a notification handler that throws or rejects: logged with the stack, not thrown', async () => {
    const log = recorder();
    guardNotification(log, 'initialized', () => {
      throw new Error('sync boom');
    })(undefined);
    guardNotification(log, 'workspace/didChangeConfiguration', async () => {
      throw new Error('async boom');
    })(undefined);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(log.lines.length, 2);
    assert.match(log.lines[0], /internal error in initialized: Error: sync boom\n\s+at /);
    assert.match(log.lines[1], /internal error in workspace\/didChangeConfiguration: Error: async boom\n\s+at /);
  });
});
