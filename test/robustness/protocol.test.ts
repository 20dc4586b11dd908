/**
 * The base protocol with a misbehaving client, byte by byte over stdio: a header that cannot be framed
 * closes the connection with a message (it used to wedge it forever); a body that is not JSON is answered
 * with a parse error and the connection goes on.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { root } from '../support/lsp';

const frame = (body: string): string => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const INIT = (id: number) => frame(JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));

interface Run { code: number | null; stdout: string; stderr: string }

/** Start the server, write `input`, and collect what it says until it exits or `ms` pass. */
function run(input: string, ms = 3000): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(root(), 'dist', 'server.js'), '--stdio']);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { p.kill('SIGKILL'); }, ms);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    p.stdin.write(input);
  });
}

describe('base protocol framing', () => {
  for (const [name, header] of [
    ['a non-numeric Content-Length', 'Content-Length: abc'],
    ['a negative Content-Length', 'Content-Length: -5'],
    ['a Content-Length over the limit', 'Content-Length: 99999999999'],
    ['no Content-Length', 'Content-Type: application/vscode-jsonrpc'],
  ]) {
    test(`${name}: the connection is closed at once with a message naming it`, async () => {
      const r = await run(`${header}\r\n\r\n{}${INIT(1)}`);
      assert.equal(r.code, 1, `the server did not close the connection: ${r.stderr}`);
      assert.match(r.stderr, /lockscope: closing the connection: the client sent/);
    });
  }

  test('a body that is not JSON: a parse error (-32700), and the next message is still served', async () => {
    const r = await run(`Content-Length: 5\r\n\r\n{nope${INIT(1)}`, 2500);
    const bodies = r.stdout.split(/Content-Length: \d+\r\n\r\n/).filter(Boolean).map((b) => JSON.parse(b) as { id: unknown; error?: { code: number }; result?: unknown });
    assert.equal(bodies[0].error?.code, -32700);
    assert.equal(bodies[0].id, null);
    assert.ok(bodies.some((b) => b.id === 1 && b.result), `initialize was not answered: ${r.stdout}`);
  });

  test('a Content-Length shorter than the body: a parse error, then the connection closes (the rest cannot be framed)', async () => {
    const r = await run(`Content-Length: 3\r\n\r\n${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} })}${INIT(2)}`);
    assert.match(r.stdout, /"code":-32700/);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /closing the connection/);
  });
});
