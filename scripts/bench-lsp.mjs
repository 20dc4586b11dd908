#!/usr/bin/env node
// The language server's latencies on a real tree, through the real server over stdio (dist/server.js):
//   node scripts/bench-lsp.mjs --tree DIR [--edits 50] [--burst 50] [--pause 150] [--lock-edits 5] [--hovers 200]
//                              [--cache-dir DIR] [--seed N] [--profile DIR] [--node-arg ARG]...
// (--profile: the server runs under --cpu-prof, one .cpuprofile per thread in DIR)
// Starts the server with the tree as its workspace, waits for the index, then
//   - edit-to-diagnostics: for each of fs/btrfs/inode.c and fs/ext4/inode.c, opens the file and makes
//     `--edits` one-line edits (a comment line inserted inside a function body, incremental sync), timing
//     each from didChange to the publishDiagnostics of that version, with `--pause` ms between one's
//     diagnostics and the next edit (typing pace); then `--burst` more edits back to back, each sent
//     as soon as the last one's diagnostics arrived (the server's 25 ms burst debounce applies); then
//     `--lock-edits` times, a spin_lock/spin_unlock pair put into an exported function and taken out
//     again (what callers in other files see changes), timing the diagnostics and a hover sent at once;
//   - hover: `--hovers` random positions inside function bodies of fs/btrfs/file.c, timing each request.
// Prints one JSON object on stdout: p50/p95/max per measurement, the index time, the server's peak RSS.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const P = require('vscode-languageserver-protocol/node');

const a = {
  tree: undefined,
  edits: 50,
  burst: 50,
  pause: 150,
  lockEdits: 5,
  hovers: 200,
  cacheDir: undefined,
  seed: 1,
  profile: undefined,
  nodeArgs: [],
};
for (let i = 2; i < process.argv.length; i++) {
  const k = process.argv[i];
  const v = process.argv[++i];
  if (k === '--tree') a.tree = v;
  else if (k === '--edits') a.edits = Number(v);
  else if (k === '--hovers') a.hovers = Number(v);
  else if (k === '--burst') a.burst = Number(v);
  else if (k === '--pause') a.pause = Number(v);
  else if (k === '--lock-edits') a.lockEdits = Number(v);
  else if (k === '--cache-dir') a.cacheDir = v;
  else if (k === '--seed') a.seed = Number(v);
  else if (k === '--profile') a.profile = v;
  else if (k === '--node-arg') a.nodeArgs.push(v);
  else {
    console.error(
      'usage: bench-lsp.mjs --tree DIR [--edits N] [--hovers N] [--cache-dir DIR] [--seed N] [--profile DIR]',
    );
    process.exit(2);
  }
}
if (!a.tree) {
  console.error('bench-lsp: --tree DIR is required');
  process.exit(2);
}
const tree = path.resolve(a.tree);

let seed = a.seed;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pct = (xs, p) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const stat = (xs) =>
  xs.length
    ? { n: xs.length, p50: +pct(xs, 50).toFixed(1), p95: +pct(xs, 95).toFixed(1), max: +Math.max(...xs).toFixed(1) }
    : { n: 0 };

const env = { ...process.env };
if (a.cacheDir) env.LOCKSCOPE_CACHE_DIR = a.cacheDir;
const child = spawn(
  process.execPath,
  [
    ...a.nodeArgs,
    ...(a.profile ? ['--cpu-prof', `--cpu-prof-dir=${a.profile}`] : []),
    path.join(repo, 'dist', 'server.js'),
    '--stdio',
  ],
  { env, stdio: ['pipe', 'pipe', 'inherit'] },
);
const conn = P.createProtocolConnection(
  new P.StreamMessageReader(child.stdout),
  new P.StreamMessageWriter(child.stdin),
);
const diagWaiters = new Map();
conn.onNotification(P.PublishDiagnosticsNotification.type, (p) => {
  const w = diagWaiters.get(`${p.uri}#${p.version}`);
  if (w) {
    diagWaiters.delete(`${p.uri}#${p.version}`);
    w(p);
  }
});
let logs = [];
conn.onNotification(P.LogMessageNotification.type, (p) => {
  logs.push(p.message);
  if (process.env.BENCH_LSP_LOG) process.stderr.write(`server: ${p.message}\n`);
});
conn.onNotification(P.ShowMessageNotification.type, () => {});
conn.onRequest(P.WorkDoneProgressCreateRequest.type, () => null);
conn.onRequest(P.ConfigurationRequest.type, (p) => p.items.map(() => ({})));
conn.onRequest(P.RegistrationRequest.type, () => null);
conn.listen();

const t0 = performance.now();
await conn.sendRequest(P.InitializeRequest.type, {
  processId: process.pid,
  rootUri: pathToFileURL(tree).href,
  workspaceFolders: [{ uri: pathToFileURL(tree).href, name: 'linux' }],
  capabilities: { window: { workDoneProgress: true }, workspace: { configuration: true } },
  ...(a.cacheDir ? { initializationOptions: {} } : {}),
});
conn.sendNotification(P.InitializedNotification.type, {});
const IndexStatus = new P.RequestType0('lockscope/indexStatus');
let status;
for (;;) {
  status = await conn.sendRequest(IndexStatus);
  if (status.state === 'ready' || status.state === 'failed') break;
  await new Promise((r) => setTimeout(r, 100));
}
const indexSeconds = (performance.now() - t0) / 1000;
const say = (m) => process.stderr.write(`bench-lsp: ${m}\n`);
say(`indexed in ${indexSeconds.toFixed(1)} s: ${JSON.stringify(status)}`);
if (status.state !== 'ready') {
  console.error(`bench-lsp: indexing failed: ${status.message}`);
  process.exit(1);
}

/** Lines strictly inside function bodies (a line after one starting `{` at column 0, before the `}`). */
function bodyLines(lines) {
  const out = [];
  let inside = false;
  lines.forEach((l, i) => {
    if (l.startsWith('{')) {
      inside = true;
      return;
    }
    if (l.startsWith('}')) {
      inside = false;
      return;
    }
    if (inside && /^\t\S/.test(l)) out.push(i);
  });
  return out;
}

let version = 1;
const diagnosticsOf = (uri, v) => new Promise((resolve) => diagWaiters.set(`${uri}#${v}`, resolve));

async function editLatency(rel) {
  const file = path.join(tree, rel);
  const uri = pathToFileURL(file).href;
  const text = fs.readFileSync(file, 'utf8');
  const v0 = version++;
  const first = diagnosticsOf(uri, v0);
  const tOpen = performance.now();
  conn.sendNotification(P.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'c', version: v0, text },
  });
  await first;
  const openMs = performance.now() - tOpen;
  say(`${rel}: first diagnostics ${openMs.toFixed(0)} ms after opening`);
  const lines = text.split('\n');
  let made = 0;
  const slowest = [];
  /** Send one change; the time until the diagnostics of its version arrive (and it goes on the slowest list). */
  const timed = async (startLine, endLine, text, what) => {
    const v = version++;
    const got = diagnosticsOf(uri, v);
    const t = performance.now();
    conn.sendNotification(P.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: v },
      contentChanges: [
        { range: { start: { line: startLine, character: 0 }, end: { line: endLine, character: 0 } }, text },
      ],
    });
    await got;
    const ms = performance.now() - t;
    slowest.push({ ms: +ms.toFixed(1), line: startLine + 1, function: enclosing(startLine), ...what });
    return ms;
  };
  const edit = () => {
    // chosen in the current text, so that no edit lands inside a comment an earlier one pushed down
    const candidates = bodyLines(lines);
    const line = candidates[Math.floor(rand() * candidates.length)];
    const inserted = `\t/* lockscope bench edit ${made++} */`;
    lines.splice(line, 0, inserted);
    return timed(line, line, `${inserted}\n`);
  };
  /** The function whose body holds 0-based `line` (the nearest definition line above a `{` at column 0). */
  const enclosing = (line) => {
    for (let i = line; i > 0; i--)
      if (lines[i] === '{') return (lines[i - 1].match(/(\w+)\(/) ?? lines[i - 2]?.match(/(\w+)\(/) ?? [])[1];
    return undefined;
  };
  const times = [];
  for (let i = 0; i < a.edits; i++) {
    await new Promise((r) => setTimeout(r, a.pause));
    times.push(await edit());
  }
  const burst = [];
  for (let i = 0; i < a.burst; i++) burst.push(await edit());
  // edits that change what a function does to locks: a lock/unlock pair put into an exported function
  // (its callers in other files must be re-summarised), then taken out again; after each, a hover at
  // once shows how long the re-summarising keeps the server from answering
  const lockEdit = { edit: [], hover: [] };
  const exported = [];
  lines.forEach((l, i) => {
    if (/^[a-z_][\w ]*\b(\w+)\(/.test(l) && !/^static\b/.test(l) && lines[i + 1] === '{') exported.push(i);
  });
  const hoverAt = bodyLines(lines);
  for (let i = 0; i < a.lockEdits && exported.length; i++) {
    const def = exported.splice(Math.floor(rand() * exported.length), 1)[0];
    const brace = lines.indexOf('{', def);
    for (const put of [true, false]) {
      await new Promise((r) => setTimeout(r, a.pause));
      lockEdit.edit.push(
        put
          ? await timed(
              brace + 1,
              brace + 1,
              '\tspin_lock(&lockscope_bench_lock);\n\tspin_unlock(&lockscope_bench_lock);\n',
              { lockEdit: 'put' },
            )
          : await timed(brace + 1, brace + 3, '', { lockEdit: 'taken out' }),
      );
      const line = hoverAt[Math.floor(rand() * hoverAt.length)];
      const th = performance.now();
      await conn.sendRequest(P.HoverRequest.type, { textDocument: { uri }, position: { line, character: 1 } });
      lockEdit.hover.push(performance.now() - th);
      await new Promise((r) => setTimeout(r, 3000)); // let the re-summarising finish before the next one
    }
  }
  conn.sendNotification(P.DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  return {
    file: rel,
    lines: text.split('\n').length,
    openMs: +openMs.toFixed(1),
    pauseMs: a.pause,
    ...stat(times),
    ...(burst.length ? { burst: stat(burst) } : {}),
    ...(lockEdit.edit.length ? { lockEdit: { edit: stat(lockEdit.edit), hoverAfter: stat(lockEdit.hover) } } : {}),
    slowest: slowest.sort((x, y) => y.ms - x.ms).slice(0, 5),
  };
}

async function hoverLatency(rel) {
  const file = path.join(tree, rel);
  const uri = pathToFileURL(file).href;
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const v0 = version++;
  const first = diagnosticsOf(uri, v0);
  conn.sendNotification(P.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'c', version: v0, text },
  });
  await first;
  const candidates = bodyLines(lines);
  const times = [];
  let answered = 0;
  for (let i = 0; i < a.hovers; i++) {
    const line = candidates[Math.floor(rand() * candidates.length)];
    const character = Math.floor(rand() * Math.max(1, lines[line].length));
    const t = performance.now();
    const h = await conn.sendRequest(P.HoverRequest.type, { textDocument: { uri }, position: { line, character } });
    times.push(performance.now() - t);
    if (h) answered++;
  }
  conn.sendNotification(P.DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  return { file: rel, answered, ...stat(times) };
}

const edits = [];
for (const rel of ['fs/btrfs/inode.c', 'fs/ext4/inode.c']) edits.push(await editLatency(rel));
const hover = await hoverLatency('fs/btrfs/file.c');
const rss = await conn.sendRequest(new P.RequestType0('lockscope/memory')).catch(() => undefined);
await conn.sendRequest(P.ShutdownRequest.type);
conn.sendNotification(P.ExitNotification.type);
console.log(JSON.stringify({ indexSeconds: +indexSeconds.toFixed(2), status, edits, hover, memory: rss }));
setTimeout(() => process.exit(0), 200).unref();
