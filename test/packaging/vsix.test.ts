/**
 * The .vsix as a user installs it: built with vsce from the current build, its entries listed with
 * yauzl (the bundles, both WASMs, the queries and package.json inside; node_modules/, sources,
 * source maps and tests outside), then extracted and the packaged server run over stdio, proving
 * both WASMs load from inside the package and the server needs nothing outside it.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as yauzl from 'yauzl';
import { fileUri, root, startServer } from '../support/lsp';

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))),
  );
}

/** Every entry name, in archive order. */
async function listEntries(file: string): Promise<string[]> {
  const zip = await openZip(file);
  return new Promise((resolve, reject) => {
    const names: string[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      names.push(e.fileName);
      zip.readEntry();
    });
    zip.on('end', () => resolve(names));
    zip.on('error', reject);
    zip.readEntry();
  });
}

/** Extract every file entry below `dest`, refusing names that escape it. */
async function extract(file: string, dest: string): Promise<void> {
  const zip = await openZip(file);
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (e: yauzl.Entry) => {
      const target = path.resolve(dest, e.fileName);
      if (!target.startsWith(path.resolve(dest) + path.sep)) {
        reject(new Error(`entry escapes the folder: ${e.fileName}`));
        return;
      }
      if (e.fileName.endsWith('/')) {
        fs.mkdirSync(target, { recursive: true });
        zip.readEntry();
        return;
      }
      fs.mkdirSync(path.dirname(target), { recursive: true });
      zip.openReadStream(e, (err, stream) => {
        if (err) {
          reject(err);
          return;
        }
        const out = fs.createWriteStream(target);
        out.on('error', reject);
        out.on('finish', () => zip.readEntry());
        stream.pipe(out);
      });
    });
    zip.readEntry();
  });
}

/** The flags `npm run package` gives vsce (without -o), so the test packages exactly as the script does. */
function vsceFlags(repo: string): string[] {
  const script = (
    JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts.package;
  const m = /vsce package ([^&|;]*)/.exec(script ?? '');
  assert.ok(m, `package.json's "package" script does not run vsce package: ${script}`);
  const flags = m[1].trim().split(/\s+/);
  const o = flags.indexOf('-o');
  if (o >= 0) flags.splice(o, 2);
  assert.ok(flags.includes('--no-dependencies'), 'the bundles need no node_modules: --no-dependencies');
  return flags;
}

const sha256 = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');

const BUGGY = `static long gizmo_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct gizmo *g = file->private_data;

	mutex_lock(&g->ioctl_lock);
	if (cmd != GIZMO_RESET)
		return -ENOTTY;
	gizmo_reset(g);
	mutex_unlock(&g->ioctl_lock);
	return 0;
}
`;

describe('the packaged extension (.vsix)', () => {
  let tmp: string;
  let vsix: string;
  let entries: string[];

  before(() => {
    const repo = root();
    for (const f of [
      'dist/server.js',
      'dist/client.js',
      'grammars/tree-sitter-c.wasm',
      'grammars/web-tree-sitter.wasm',
    ]) {
      assert.ok(fs.existsSync(path.join(repo, f)), `${f} is missing: run the build first`);
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-vsix-'));
    vsix = path.join(tmp, 'lockscope.vsix');
    execFileSync(
      process.execPath,
      [path.join(repo, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', ...vsceFlags(repo), '-o', vsix],
      {
        cwd: repo,
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 120000,
      },
    );
  });

  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('vsce produced a .vsix', () => {
    assert.ok(fs.statSync(vsix).size > 100 * 1024, 'the package holds the bundles and the WASMs');
  });

  test('it holds the bundles, both WASMs, the queries, package.json and the licence', async () => {
    entries = await listEntries(vsix);
    for (const e of [
      'extension/package.json',
      'extension/dist/server.js',
      'extension/dist/client.js',
      // the worker-thread scripts the server starts: the indexer and the extraction workers
      'extension/dist/indexer.js',
      'extension/dist/extract-worker.js',
      'extension/grammars/tree-sitter-c.wasm',
      'extension/grammars/web-tree-sitter.wasm',
      'extension/grammars/calls.scm',
      'extension/grammars/initializers.scm',
      'extension.vsixmanifest',
    ])
      assert.ok(entries.includes(e), `${e} missing from the .vsix: ${entries.join(', ')}`);
    // every query the repository has is shipped
    for (const q of fs.readdirSync(path.join(root(), 'grammars')).filter((f) => f.endsWith('.scm'))) {
      assert.ok(entries.includes(`extension/grammars/${q}`), `query ${q} not packaged`);
    }
    assert.ok(
      entries.some((e) => /^extension\/LICENSE(\.txt|\.md)?$/.test(e)),
      'licence packaged',
    );
  });

  test('it holds no node_modules, sources, source maps, tests or build files', async () => {
    entries ??= await listEntries(vsix);
    const bad = entries.filter(
      (e) =>
        /(^|\/)node_modules\//.test(e) ||
        /(^|\/)src\//.test(e) ||
        /\.(ts|map|tsbuildinfo)$/.test(e) ||
        /^extension\/(test|scripts|bin|examples|server|client)\//.test(e) ||
        /^extension\/(tsconfig.*\.json|package-lock\.json|\.gitignore|\.vscodeignore)$/.test(e),
    );
    assert.deepEqual(bad, []);
  });

  test('the packaged package.json points at packaged files', async () => {
    const dest = path.join(tmp, 'x');
    await extract(vsix, dest);
    const pkg = JSON.parse(fs.readFileSync(path.join(dest, 'extension', 'package.json'), 'utf8')) as {
      main: string;
      name: string;
      publisher: string;
      contributes: { jsonValidation?: { url: string }[] };
    };
    assert.ok(fs.existsSync(path.join(dest, 'extension', pkg.main)), `main ${pkg.main} is not in the package`);
    for (const v of pkg.contributes.jsonValidation ?? [])
      assert.ok(fs.existsSync(path.join(dest, 'extension', v.url)), `the schema ${v.url} is not in the package`);
    assert.ok(fs.existsSync(path.join(dest, 'extension', 'THIRD_PARTY_NOTICES.md')), 'no third-party notices');
    assert.equal(pkg.name, 'lockscope');
  });

  test('the packaged bundles are minified, with their function names kept', async () => {
    const dest = path.join(tmp, 'x');
    if (!fs.existsSync(dest)) await extract(vsix, dest);
    for (const b of ['client', 'server', 'indexer', 'extract-worker']) {
      const text = fs.readFileSync(path.join(dest, 'extension', 'dist', `${b}.js`), 'utf8');
      // an unminified bundle is about a quarter whitespace (indentation, one statement a line); a minified one has
      // little left but what template text keeps (the graph webview's page, a dependency's embedded sources)
      const blank = (text.match(/[ \t\n]/g) ?? []).length / text.length;
      assert.ok(blank < 0.12, `dist/${b}.js is not minified (${(blank * 100).toFixed(1)} % whitespace)`);
    }
    // esbuild's keepNames: a stack trace from the packaged server still names the engine's functions
    const server = fs.readFileSync(path.join(dest, 'extension', 'dist', 'server.js'), 'utf8');
    assert.match(server, /"analyseFunction"/);
  });

  test('relative links in the packaged README point at packaged files', async () => {
    entries ??= await listEntries(vsix);
    const readme = entries.find((e) => /^extension\/readme\.md$/i.test(e));
    if (!readme) return; // no README yet: nothing to check
    const dest = path.join(tmp, 'x');
    if (!fs.existsSync(dest)) await extract(vsix, dest);
    const text = fs.readFileSync(path.join(dest, readme), 'utf8');
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1])
      .filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l) && !l.startsWith('#'))
      .map((l) => l.split('#')[0]);
    for (const l of links)
      assert.ok(
        entries.includes(`extension/${path.posix.normalize(l)}`),
        `README links to ${l}, which is not in the .vsix`,
      );
  });

  test('the packaged WASMs are the ones from the pinned npm packages', async () => {
    const dest = path.join(tmp, 'x');
    if (!fs.existsSync(dest)) await extract(vsix, dest);
    const nm = path.join(root(), 'node_modules');
    assert.equal(
      sha256(path.join(dest, 'extension/grammars/tree-sitter-c.wasm')),
      sha256(path.join(nm, 'tree-sitter-c/tree-sitter-c.wasm')),
    );
    assert.equal(
      sha256(path.join(dest, 'extension/grammars/web-tree-sitter.wasm')),
      sha256(path.join(nm, 'web-tree-sitter/web-tree-sitter.wasm')),
    );
  });

  test('the extracted server runs over stdio and loads both WASMs from inside the package', async (t) => {
    const dest = path.join(tmp, 'x');
    if (!fs.existsSync(dest)) await extract(vsix, dest);
    const ext = path.join(dest, 'extension');
    const ws = path.join(tmp, 'ws');
    fs.mkdirSync(ws, { recursive: true });
    const file = path.join(ws, 'gizmo.c');
    fs.writeFileSync(file, BUGGY);
    const env: NodeJS.ProcessEnv = { LOCKSCOPE_GRAMMARS: undefined, NODE_PATH: undefined };
    const c = await startServer(
      { folders: [ws], settings: { lockscope: {} } },
      { server: path.join(ext, 'dist', 'server.js'), env },
    );
    t.after(() => c.dispose());
    const uri = fileUri(file);
    await c.open(uri, BUGGY, 1);
    const p = await c.waitForDiagnostics(uri, { version: 1 });
    assert.deepEqual(
      p.diagnostics.map((d) => d.code),
      ['lock-imbalance'],
      JSON.stringify(p.diagnostics),
    );
    assert.equal(
      p.diagnostics[0].range.start.line,
      BUGGY.split('\n').findIndex((l) => l.includes('return -ENOTTY;')),
    );
    const hover = await c.hoverText(uri, 7, 2);
    assert.match(hover ?? '', /`&g->ioctl_lock`/);

    // the server said where it loaded the runtime and the grammar from: inside the extracted package
    const logs = c.logs.map((l) => l.message);
    const runtime = logs.find((m) => /web-tree-sitter runtime /.test(m));
    const grammar = logs.find((m) => /C grammar /.test(m));
    assert.ok(runtime && grammar, `no load logs: ${logs.join('\n')}`);
    assert.ok(runtime.endsWith(path.join(ext, 'grammars', 'web-tree-sitter.wasm')), runtime);
    assert.ok(grammar.endsWith(path.join(ext, 'grammars', 'tree-sitter-c.wasm')), grammar);
    assert.deepEqual(
      c.messages.items.filter((m) => m.type === 1 /* Error */),
      [],
    );
    const r = await c.shutdown();
    assert.equal(r.code, 0);
  });

  test(
    'the extracted server indexes a kernel tree with its workers: ' + 'the seed-000 cross-file recursive lock',
    async (t) => {
      const dest = path.join(tmp, 'x');
      if (!fs.existsSync(dest)) await extract(vsix, dest);
      const ext = path.join(dest, 'extension');
      const tree = path.join(tmp, 'seed000');
      fs.cpSync(path.join(root(), 'test', 'trees', 'seed000-5.9'), tree, { recursive: true });
      const env: NodeJS.ProcessEnv = {
        LOCKSCOPE_GRAMMARS: undefined,
        NODE_PATH: undefined,
        LOCKSCOPE_CACHE_DIR: path.join(tmp, 'cache'),
      };
      const c = await startServer(
        { folders: [tree], settings: { lockscope: {} } },
        { server: path.join(ext, 'dist', 'server.js'), env },
      );
      t.after(() => c.dispose());
      const file = path.join(tree, 'fs', 'btrfs', 'file.c');
      const uri = fileUri(file);
      await c.open(uri, fs.readFileSync(file, 'utf8'), 1);
      const p = await c.waitForDiagnostics(uri, {
        pred: (x) => x.diagnostics.some((d) => d.code === 'recursive-lock'),
        timeoutMs: 60000,
      });
      assert.ok(p.diagnostics.some((d) => d.code === 'recursive-lock'));
      const logs = c.logs.map((l) => l.message);
      assert.ok(
        logs.some((m) => /indexed \d+ files/.test(m)),
        logs.join('\n'),
      );
      assert.ok(!logs.some((m) => /indexing failed|not found/.test(m)), logs.join('\n'));
      assert.equal((await c.shutdown()).code, 0);
    },
  );
});
