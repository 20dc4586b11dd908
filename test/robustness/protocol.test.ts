/**
 * The base protocol with a misbehaving client, byte by byte over stdio: a header that cannot be framed
 * closes the connection with a message (it used to wedge it forever); a body that is not JSON is answered
 * with a parse error and the connection goes on. The protocol's states: no request before initialize
 * (ServerNotInitialized; it used to answer null), one initialize (a second used to be accepted), none after
 * shutdown; invalid params answered InvalidParams naming the parameter (they used to get raw TypeError text).
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { root } from '../support/lsp';

const frame = (body: string): string => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const INIT = (id: number) =>
  frame(
    JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'initialize',
      params: { processId: null, rootUri: null, capabilities: {} },
    }),
  );

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Start the server, write `input`, and collect what it says until it exits or `ms` pass. */
function run(input: string, ms = 3000): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(root(), 'dist', 'server.js'), '--stdio']);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
    }, ms);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
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
    const bodies = r.stdout
      .split(/Content-Length: \d+\r\n\r\n/)
      .filter(Boolean)
      .map((b) => JSON.parse(b) as { id: unknown; error?: { code: number }; result?: unknown });
    assert.equal(bodies[0].error?.code, -32700);
    assert.equal(bodies[0].id, null);
    assert.ok(
      bodies.some((b) => b.id === 1 && b.result),
      `initialize was not answered: ${r.stdout}`,
    );
  });

  test('a Content-Length shorter than the body: a parse error, then the connection closes', async () => {
    const r = await run(
      `Content-Length: 3\r\n\r\n${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} })}` +
        INIT(2),
    );
    assert.match(r.stdout, /"code":-32700/);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /closing the connection/);
  });
});

// ---- protocol states and errors (issue 14, defect 9) ----------------------------------------------------

interface Msg {
  jsonrpc: string;
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/**
 * A client that speaks raw JSON-RPC frames, to send what a real client library would not (requests before
 * initialize, a second initialize, malformed params). It records every message the server sends and answers
 * nothing; every wait has a timeout.
 */
class RawClient {
  readonly proc = spawn(process.execPath, [path.join(root(), 'dist', 'server.js'), '--stdio']);
  readonly received: Msg[] = [];
  stderr = '';
  private buf = Buffer.alloc(0);
  private wake: (() => void)[] = [];
  private readonly exit: Promise<number | null>;

  constructor() {
    this.proc.stdout.on('data', (d: Buffer) => this.read(d));
    this.proc.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.proc.stdin.on('error', () => {});
    this.exit = new Promise((resolve) =>
      this.proc.on('exit', (code) => {
        resolve(code);
        this.notify();
      }),
    );
  }

  send(m: Omit<Msg, 'jsonrpc'>): void {
    this.proc.stdin.write(frame(JSON.stringify({ jsonrpc: '2.0', ...m })));
  }

  request(id: number, method: string, params?: unknown): Promise<Msg> {
    this.send(params === undefined ? { id, method } : { id, method, params });
    return this.waitFor((m) => m.id === id && m.method === undefined, `the answer to ${method} (id ${id})`);
  }

  notification(method: string, params: unknown): void {
    this.send({ method, params });
  }

  async initialize(id: number): Promise<Msg> {
    const r = await this.request(id, 'initialize', { processId: null, rootUri: null, capabilities: {} });
    this.notification('initialized', {});
    return r;
  }

  /** The first message (sent so far or later) matching `pred`. */
  async waitFor(pred: (m: Msg) => boolean, what: string, ms = 15000): Promise<Msg> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this.received.find(pred);
      if (m) return m;
      if (this.proc.exitCode !== null) throw new Error(`the server exited waiting for ${what}: ${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        t.unref();
        this.wake.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async exited(): Promise<number | null> {
    return this.exit;
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }

  private read(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) break;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buf.subarray(0, end).toString())?.[1]);
      if (this.buf.length < end + 4 + length) break;
      this.received.push(JSON.parse(this.buf.subarray(end + 4, end + 4 + length).toString()) as Msg);
      this.buf = this.buf.subarray(end + 4 + length);
    }
    this.notify();
  }

  private notify(): void {
    for (const w of this.wake.splice(0)) w();
  }
}

const LEAKY_C = [
  'static int grow(struct widget *w)',
  '{',
  '\tmutex_lock(&w->lock);',
  '\tif (w->n)',
  '\t\treturn -ENOMEM;',
  '\tmutex_unlock(&w->lock);',
  '\treturn 0;',
  '}',
  '',
].join('\n');
/** Text that looks like a raw exception escaped into a reply. */
const RAW = /TypeError|ReferenceError|Cannot read propert|is not a function|undefined \(reading|\n\s+at /;

describe('protocol states', () => {
  test('before initialize: a request is answered ServerNotInitialized (-32002), a notification dropped', async (t) => {
    const c = new RawClient();
    t.after(() => c.kill());
    const early = 'file:///tmp/lockscope-early/early.c';
    const late = 'file:///tmp/lockscope-early/late.c';
    const position = { textDocument: { uri: early }, position: { line: 3, character: 2 } };
    c.notification('textDocument/didOpen', {
      textDocument: { uri: early, languageId: 'c', version: 1, text: LEAKY_C },
    });
    for (const [id, method, params] of [
      [1, 'textDocument/hover', position],
      [2, 'lockscope/indexStatus', undefined],
      [3, 'no/suchMethod', {}],
      [4, 'shutdown', undefined],
    ] as const) {
      const r = await c.request(id, method, params);
      assert.equal(r.error?.code, -32002, `${method}: ${JSON.stringify(r)}`);
      assert.match(r.error?.message ?? '', /before initialize/);
      assert.equal(r.result, undefined);
    }
    assert.ok((await c.initialize(5)).result, 'initialize is still accepted');
    // the didOpen sent before initialize was dropped: late.c is analysed, early.c is not open
    c.notification('textDocument/didOpen', { textDocument: { uri: late, languageId: 'c', version: 1, text: LEAKY_C } });
    const published = (uri: string) => (m: Msg) =>
      m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === uri;
    await c.waitFor(published(late), 'diagnostics for late.c');
    assert.equal((await c.request(6, 'textDocument/hover', position)).result, null, 'early.c is not an open document');
    assert.equal(c.received.filter(published(early)).length, 0, 'early.c was analysed');
  });

  test('a second initialize is refused with InvalidRequest (-32600); the server goes on serving', async (t) => {
    const c = new RawClient();
    t.after(() => c.kill());
    const first = await c.initialize(1);
    assert.equal((first.result as { serverInfo?: { name?: string } }).serverInfo?.name, 'lockscope');
    const second = await c.request(2, 'initialize', { processId: null, rootUri: null, capabilities: {} });
    assert.equal(second.error?.code, -32600, JSON.stringify(second));
    assert.match(second.error?.message ?? '', /initialize was already received/);
    const status = await c.request(3, 'lockscope/indexStatus');
    assert.equal((status.result as { state?: string }).state, 'none', JSON.stringify(status));
  });

  test('initialize with bad params: InvalidParams (-32602) naming the parameter; then a good one works', async (t) => {
    const c = new RawClient();
    t.after(() => c.kill());
    for (const [id, params, name] of [
      [1, null, /params/],
      [2, { processId: null, rootUri: null }, /"capabilities"/],
      [3, { processId: null, capabilities: 5 }, /"capabilities"/],
      [4, { capabilities: {}, workspaceFolders: [{ uri: 7 }] }, /"workspaceFolders\.0\.uri"/],
    ] as const) {
      const r = await c.request(id, 'initialize', params);
      assert.equal(r.error?.code, -32602, JSON.stringify(r));
      assert.match(r.error?.message ?? '', name);
      assert.doesNotMatch(r.error?.message ?? '', RAW);
    }
    assert.ok((await c.initialize(5)).result);
  });

  test('after shutdown a request is refused (InvalidRequest); exit then ends the server with 0', async (t) => {
    const c = new RawClient();
    t.after(() => c.kill());
    await c.initialize(1);
    assert.equal((await c.request(2, 'shutdown')).result, null);
    const late = await c.request(3, 'lockscope/indexStatus');
    assert.equal(late.error?.code, -32600, JSON.stringify(late));
    assert.match(late.error?.message ?? '', /after shutdown/);
    c.notification('exit', undefined);
    assert.equal(await c.exited(), 0);
  });
});

describe('invalid request parameters', () => {
  const uri = 'file:///tmp/lockscope-params/widget.c';
  const item = {
    name: 'grow',
    kind: 12,
    uri,
    range: { start: { line: 0, character: 0 }, end: { line: 7, character: 1 } },
    selectionRange: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
  };
  const cases: [string, string, unknown, RegExp][] = [
    ['hover with no position', 'textDocument/hover', { textDocument: { uri } }, /"position"/],
    [
      'hover with a uri that is not a string',
      'textDocument/hover',
      { textDocument: { uri: 42 }, position: { line: 0, character: 0 } },
      /"textDocument\.uri"/,
    ],
    [
      'hover with a line that is not a number',
      'textDocument/hover',
      { textDocument: { uri }, position: { line: '3', character: 0 } },
      /"position\.line"/,
    ],
    [
      'hover with a negative character',
      'textDocument/hover',
      { textDocument: { uri }, position: { line: 3, character: -1 } },
      /"position\.character"/,
    ],
    ['hover with params null', 'textDocument/hover', null, /params/],
    [
      'prepareCallHierarchy with no textDocument',
      'textDocument/prepareCallHierarchy',
      { position: { line: 0, character: 0 } },
      /"textDocument"/,
    ],
    ['incomingCalls with an item that is a number', 'callHierarchy/incomingCalls', { item: 42 }, /"item"/],
    [
      'incomingCalls with an item whose data is of the wrong shape',
      'callHierarchy/incomingCalls',
      { item: { ...item, data: { file: 1, name: 'grow' } } },
      /"item\.data\.file"/,
    ],
    [
      'outgoingCalls with an item without selectionRange',
      'callHierarchy/outgoingCalls',
      { item: { ...item, selectionRange: undefined } },
      /"item\.selectionRange"/,
    ],
    [
      'codeAction whose diagnostics are not a list',
      'textDocument/codeAction',
      { textDocument: { uri }, range: item.range, context: { diagnostics: 'all' } },
      /"context\.diagnostics"/,
    ],
    [
      'codeAction with a diagnostic without a range',
      'textDocument/codeAction',
      { textDocument: { uri }, range: item.range, context: { diagnostics: [{ message: 'x' }] } },
      /"context\.diagnostics\.0\.range"/,
    ],
    ['lockscope/callGraph without uri', 'lockscope/callGraph', { line: 3 }, /"uri"/],
    ['lockscope/callGraph with a negative line', 'lockscope/callGraph', { uri, line: -1 }, /"line"/],
    [
      'lockscope/callGraph with a depth that is not a number',
      'lockscope/callGraph',
      { uri, line: 1, depth: 'deep' },
      /"depth"/,
    ],
    [
      'lockscope/lockOrderGraph with classFilter a string',
      'lockscope/lockOrderGraph',
      { classFilter: 'inode' },
      /"classFilter"/,
    ],
    [
      'lockscope/lockOrderGraph with cyclesOnly a string',
      'lockscope/lockOrderGraph',
      { cyclesOnly: 'yes' },
      /"cyclesOnly"/,
    ],
  ];

  test('are answered InvalidParams (-32602) naming the parameter, never raw exception text', async (t) => {
    const c = new RawClient();
    t.after(() => c.kill());
    await c.initialize(1);
    c.notification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: LEAKY_C } });
    let id = 10;
    for (const [name, method, params, param] of cases) {
      const r = await c.request(id++, method, params);
      assert.equal(r.error?.code, -32602, `${name}: ${JSON.stringify(r)}`);
      assert.match(r.error?.message ?? '', param, name);
      assert.match(r.error?.message ?? '', new RegExp(`^lockscope: ${method.replace('/', '\\/')}: invalid `), name);
      assert.doesNotMatch(r.error?.message ?? '', RAW, name);
    }
    // and good requests are still answered
    const hover = await c.request(id++, 'textDocument/hover', {
      textDocument: { uri },
      position: { line: 3, character: 1 },
    });
    assert.equal(hover.error, undefined, JSON.stringify(hover));
    const status = await c.request(id, 'lockscope/indexStatus', null);
    assert.equal((status.result as { state?: string }).state, 'none');
    assert.equal(c.proc.exitCode, null, c.stderr);
  });

  test('a request sent with no params at all: InvalidParams in our words, not those of the library', async (t) => {
    const c = new RawClient();
    t.after(() => c.kill());
    await c.initialize(1);
    for (const [id, method] of [
      [2, 'textDocument/hover'],
      [3, 'callHierarchy/incomingCalls'],
      [4, 'lockscope/callGraph'],
    ] as const) {
      const r = await c.request(id, method);
      assert.equal(r.error?.code, -32602, JSON.stringify(r));
      assert.match(r.error?.message ?? '', new RegExp(`^lockscope: ${method.replace('/', '\\/')}: invalid `));
    }
    // a request without params by design is still answered
    const status = await c.request(5, 'lockscope/indexStatus');
    assert.equal((status.result as { state?: string }).state, 'none', JSON.stringify(status));
  });

  test('malformed document-sync notifications are logged and dropped; the server lives and serves', async (t) => {
    const c = new RawClient();
    t.after(() => c.kill());
    await c.initialize(1);
    const bad: [string, unknown][] = [
      ['textDocument/didOpen', { textDocument: 42 }],
      ['textDocument/didOpen', { textDocument: { uri: 7, languageId: 'c', version: 1, text: LEAKY_C } }],
      ['textDocument/didChange', { textDocument: { uri, version: 'two' }, contentChanges: [{ text: '' }] }],
      ['textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: 5 }],
      ['textDocument/didClose', null],
      ['textDocument/didSave', { textDocument: {} }],
    ];
    for (const [method, params] of bad) c.notification(method, params);
    for (const [method] of bad) {
      await c.waitFor(
        (m) =>
          m.method === 'window/logMessage' &&
          String((m.params as { message?: string }).message).startsWith(`lockscope: ${method}: invalid`),
        `the log line for ${method}`,
      );
    }
    // the server is alive, and a good document still gets its diagnostics
    c.notification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: LEAKY_C } });
    const d = await c.waitFor(
      (m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri?: string }).uri === uri,
      'diagnostics for the good document',
    );
    assert.ok(((d.params as { diagnostics: unknown[] }).diagnostics ?? []).length > 0, JSON.stringify(d));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(c.proc.exitCode, null, c.stderr);
  });
});
