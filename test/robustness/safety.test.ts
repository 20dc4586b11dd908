/**
 * An untrusted tree: nothing in it decides what code lockscope loads. The hostile grammar here is a
 * real exploit against web-tree-sitter's side-module loader (its EM_JS string runs while the module is
 * linked); the tests show it runs when a user explicitly allows an unpinned grammar (so the payload is
 * live), and never when the tree asks for it — through the CLI in file mode and tree mode (the
 * extraction workers load the grammar too) and through the language server.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { GRAMMAR_PINS } from '../../server/src/engine';
import { repoRoot } from '../support/engine';
import { plantGrammar } from '../support/hostile';
import { deepNesting } from '../support/mutate';
import { MessageType, fileUri, startServer } from '../support/lsp';
import { LEAKY } from '../support/samples';
import { STACK, cli, tempDir } from './run';

/** A tree holding a planted grammar and a `.lockscope.json` that points at it. */
function hostileTree(t: { after: (fn: () => void) => void }, kernel: boolean): { dir: string; marker: string } {
  const dir = tempDir(t, 'lockscope-hostile-');
  const marker = path.join(dir, 'PAYLOAD-RAN');
  plantGrammar(path.join(dir, 'evil'), marker);
  fs.writeFileSync(
    path.join(dir, '.lockscope.json'),
    JSON.stringify({ grammarDirectory: 'evil', allowUnpinnedGrammar: true }),
  );
  const src = kernel ? path.join(dir, 'fs', 'widget') : dir;
  fs.mkdirSync(src, { recursive: true });
  if (kernel) fs.mkdirSync(path.join(dir, 'include', 'linux'), { recursive: true });
  fs.writeFileSync(path.join(src, 'widget.c'), LEAKY);
  return { dir, marker };
}

describe('no code is loaded from a tree', () => {
  test('the pins are the WASM files of the locked npm packages (a dependency bump must update them)', () => {
    for (const [file, pkg] of [
      ['tree-sitter-c.wasm', 'tree-sitter-c'],
      ['web-tree-sitter.wasm', 'web-tree-sitter'],
    ]) {
      const bytes = fs.readFileSync(path.join(repoRoot(), 'node_modules', pkg, file));
      assert.equal(createHash('sha256').update(bytes).digest('hex'), GRAMMAR_PINS[file], file);
    }
  });

  test('the payload is live: with --grammars and --allow-unpinned-grammar, the user gets what they asked for', (t) => {
    const { dir, marker } = hostileTree(t, false);
    cli(['check', '.', '--grammars', 'evil', '--allow-unpinned-grammar', '--no-cache'], dir);
    assert.ok(fs.existsSync(marker), 'the planted module ran its JavaScript (else the tests below prove nothing)');
  });

  test(
    "check in file mode: the tree's grammarDirectory is refused with a message; " + 'the bundled grammar finds the bug',
    (t) => {
      const { dir, marker } = hostileTree(t, false);
      const r = cli(['check', '.', '--no-cache'], dir);
      assert.equal(fs.existsSync(marker), false, 'the payload ran');
      assert.match(r.stderr, /"grammarDirectory" is not read from here: it decides what code lockscope loads/);
      assert.match(r.stderr, /"allowUnpinnedGrammar" is not read from here/);
      assert.match(r.stdout, /lock-imbalance/);
      assert.equal(r.code, 1, r.stderr);
    },
  );

  test('check in tree mode (extraction workers) and report: the payload never runs', (t) => {
    const { dir, marker } = hostileTree(t, true);
    const r = cli(['check', 'fs/widget', '--jobs', '2', '--no-cache'], dir);
    assert.equal(fs.existsSync(marker), false, 'the payload ran');
    assert.doesNotMatch(r.stderr, STACK);
    assert.match(r.stdout, /lock-imbalance/);
    cli(['report', 'widget_grow', '--no-cache'], dir);
    assert.equal(fs.existsSync(marker), false, 'the payload ran in report');
  });

  test('a --config file cannot name a grammar either', (t) => {
    const { dir, marker } = hostileTree(t, false);
    const r = cli(['check', '.', '--config', '.lockscope.json', '--no-cache'], dir);
    assert.equal(fs.existsSync(marker), false, 'the payload ran');
    assert.match(r.stderr, /"grammarDirectory" is not read from here/);
  });

  test('--grammars naming a folder whose WASM is not the bundled one: refused by hash, exit 2, nothing run', (t) => {
    const { dir, marker } = hostileTree(t, false);
    const r = cli(['check', '.', '--grammars', 'evil', '--no-cache'], dir);
    assert.equal(fs.existsSync(marker), false, 'the payload ran');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /refusing to load .*tree-sitter-c\.wasm: it is not the tree-sitter-c\.wasm lockscope ships/);
    assert.match(r.stderr, /--allow-unpinned-grammar/);
    assert.doesNotMatch(r.stderr, STACK);
  });

  test(
    'the language server: ' + "a tree's .lockscope.json and workspace settings naming the grammar are ignored",
    async (t) => {
      const { dir, marker } = hostileTree(t, false);
      const uri = fileUri(path.join(dir, 'widget.c'));
      const c = await startServer({
        folders: [dir],
        settings: { lockscope: { grammarDirectory: path.join(dir, 'evil'), allowUnpinnedGrammar: true } },
      });
      t.after(() => c.dispose());
      const w = await c.waitForMessage((m) => m.message.includes('.lockscope.json'));
      assert.equal(w.type, MessageType.Warning);
      assert.match(w.message, /decides what code lockscope loads/);
      await c.open(uri, LEAKY, 1);
      const p = await c.waitForDiagnostics(uri, { version: 1 });
      assert.deepEqual(
        p.diagnostics.map((d) => d.code),
        ['lock-imbalance'],
        'the bundled grammar analysed the file',
      );
      assert.equal(fs.existsSync(marker), false, 'the payload ran');
      await c.shutdown();
    },
  );

  test('the language server: a grammar folder the user names at start-up is still held to the pins', async (t) => {
    const { dir, marker } = hostileTree(t, false);
    const c = await startServer({
      folders: [dir],
      settings: { lockscope: {} },
      initializationOptions: { grammarDirectory: path.join(dir, 'evil') },
    });
    t.after(() => c.dispose());
    const err = await c.waitForMessage((m) => m.type === MessageType.Error);
    assert.match(err.message, /refusing to load/);
    assert.equal(fs.existsSync(marker), false, 'the payload ran');
    assert.equal(c.exited, undefined);
    await c.shutdown();
  });
});

/** A small kernel-like tree (include/linux/ marks it) with one planted bug. */
function kernelTree(t: { after: (fn: () => void) => void }): string {
  const dir = tempDir(t, 'lockscope-ktree-');
  fs.mkdirSync(path.join(dir, 'include', 'linux'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'fs', 'widget'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'fs', 'widget', 'widget.c'), LEAKY);
  return dir;
}

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe('the cache deletes only what it wrote', () => {
  test(
    "--cache-dir naming a folder of the user's that has records/ and snapshots/: " +
      'nothing of it is touched, the run goes on uncached',
    (t) => {
      const tree = kernelTree(t);
      const mine = tempDir(t, 'lockscope-users-folder-');
      const planted = [
        'records/old/notes.txt',
        'records/2024/a/b.txt',
        'records/zz.txt',
        'snapshots/x/y.bin',
        'snapshots/keep.txt',
        'photos/z.jpg',
        'todo.md',
      ];
      for (const f of planted) {
        fs.mkdirSync(path.dirname(path.join(mine, f)), { recursive: true });
        fs.writeFileSync(path.join(mine, f), f);
      }
      for (let i = 0; i < 2; i++) {
        const r = cli(['check', 'fs/widget', '--cache-dir', mine, '--jobs', '1'], tree);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stdout, /lock-imbalance/);
        assert.match(r.stderr, /not using the cache: .* holds files that are not lockscope's/);
      }
      assert.deepEqual(filesUnder(mine), [...planted].sort());
    },
  );

  test(
    'a new folder is tagged (CACHEDIR.TAG) and used; ' +
      'old keys are pruned file by file, leaving what lockscope did not write',
    (t) => {
      const tree = kernelTree(t);
      const cache = path.join(tempDir(t, 'lockscope-cache-'), 'c');
      const first = cli(['check', 'fs/widget', '--cache-dir', cache, '--jobs', '1'], tree);
      assert.equal(first.code, 1, first.stderr);
      assert.doesNotMatch(first.stderr, /not using the cache/);
      assert.match(
        fs.readFileSync(path.join(cache, 'CACHEDIR.TAG'), 'utf8'),
        /^Signature: 8a477f597d28d172789f06886806bc55\n.*lockscope/,
      );
      // four older keys, each with an entry, a stale temporary and a file of someone else's
      const hex = (c: string, n: number) => c.repeat(n);
      const old = Date.now() / 1000 - 7200;
      for (const c of ['a', 'b', 'c', 'd']) {
        const shard = path.join(cache, 'records', hex(c, 20), 'ab');
        fs.mkdirSync(shard, { recursive: true });
        fs.writeFileSync(path.join(shard, hex('e', 40)), 'entry');
        fs.writeFileSync(path.join(shard, `${hex('f', 40)}.123.x1.tmp`), 'partial');
        fs.writeFileSync(path.join(shard, 'not-ours.txt'), 'mine');
        for (const p of [
          path.join(shard, hex('e', 40)),
          path.join(shard, `${hex('f', 40)}.123.x1.tmp`),
          shard,
          path.dirname(shard),
        ])
          fs.utimesSync(p, old, old);
      }
      fs.writeFileSync(path.join(cache, 'records', 'README.txt'), 'mine too');
      const second = cli(
        ['check', 'fs/widget', '--cache-dir', cache, '--jobs', '1', '--config', writeConfig(tree)],
        tree,
      ); // other settings: a new key
      assert.equal(second.code, 1, second.stderr);
      const left = filesUnder(path.join(cache, 'records'));
      assert.ok(left.includes('README.txt'));
      for (const c of ['a', 'b', 'c', 'd'])
        assert.ok(left.includes(path.join(hex(c, 20), 'ab', 'not-ours.txt')), `${c}: ${left.join(' ')}`);
      assert.equal(left.filter((f) => f.endsWith('.tmp')).length, 0, 'stale temporaries are swept');
      // three keys stay: the new one, the first run's and one of the old ones; the other old ones lose their entries
      assert.equal(left.filter((f) => f.endsWith(hex('e', 40))).length, 1, left.join('\n'));
    },
  );
});

function writeConfig(dir: string): string {
  const f = path.join(dir, 'other-settings.json');
  fs.writeFileSync(f, JSON.stringify({ loopMacros: ['widget_for_each'] }));
  return f;
}

describe('inputs: only regular files and folders, only inside the tree', () => {
  test('a FIFO named on the command line: exit 2 at once with a message, not a hang (file and tree mode)', (t) => {
    const tree = kernelTree(t);
    const fifo = path.join(tree, 'fs', 'widget', 'pipe.c');
    execFileSync('mkfifo', [fifo]);
    for (const extra of [['--per-file'], []]) {
      const r = cli(['check', 'fs/widget/pipe.c', ...extra], tree, 20000);
      assert.equal(r.signal, null, 'killed by the timeout: the CLI hung on the FIFO');
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /pipe\.c: not a regular file or directory \(a FIFO\)/);
    }
    const folder = cli(['check', 'fs/widget', '--no-cache'], tree, 20000);
    assert.equal(folder.code, 1, 'walking a folder skips the FIFO and checks the rest');
  });

  test('a symlink loop named on the command line is called one', (t) => {
    const dir = tempDir(t);
    fs.symlinkSync(path.join(dir, 'b.c'), path.join(dir, 'a.c'));
    fs.symlinkSync(path.join(dir, 'a.c'), path.join(dir, 'b.c'));
    const r = cli(['check', 'a.c'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /a\.c: a symlink loop/);
  });

  test('index.include globs cannot reach outside the tree', (t) => {
    const outer = tempDir(t, 'lockscope-outer-');
    const tree = path.join(outer, 'linux');
    fs.mkdirSync(path.join(tree, 'include', 'linux'), { recursive: true });
    fs.mkdirSync(path.join(tree, 'fs', 'widget'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'fs', 'widget', 'widget.c'), 'void widget_nop(void) { }\n');
    fs.writeFileSync(path.join(outer, 'secret.c'), LEAKY); // outside the tree: must never be read
    fs.writeFileSync(path.join(tree, '.lockscope.json'), JSON.stringify({ 'index.include': ['../**', 'fs/**'] }));
    const r = cli(['check', 'fs/widget', '--format', 'json', '--no-cache'], tree);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { findings: unknown[] };
    assert.equal(out.findings.length, 0, 'secret.c outside the tree was indexed');
    assert.doesNotMatch(r.stdout, /\.\.\//);
    const text = cli(['check', 'fs/widget', '--no-cache'], tree);
    assert.match(text.stderr, /indexing 1 files/);
  });
});

describe('settings files that are not objects', () => {
  for (const text of ['null', '[]', '42', '"x"']) {
    test(`.lockscope.json containing ${text}: the CLI warns and checks with the defaults; no stack trace`, (t) => {
      const dir = tempDir(t);
      fs.writeFileSync(path.join(dir, 'widget.c'), LEAKY);
      fs.writeFileSync(path.join(dir, '.lockscope.json'), text);
      const r = cli(['check', '.'], dir);
      assert.equal(r.code, 1, r.stderr);
      assert.doesNotMatch(r.stderr, STACK);
      assert.match(r.stderr, /\.lockscope\.json: expected an object of settings, got/);
    });
  }

  test('.lockscope.json containing null: the language server says so and keeps publishing diagnostics', async (t) => {
    const dir = tempDir(t);
    fs.writeFileSync(path.join(dir, '.lockscope.json'), 'null');
    const uri = fileUri(path.join(dir, 'widget.c'));
    const c = await startServer({ folders: [dir], settings: { lockscope: {} } });
    t.after(() => c.dispose());
    const w = await c.waitForMessage((m) => m.message.includes('.lockscope.json'));
    assert.match(w.message, /expected an object of settings, got null/);
    await c.open(uri, LEAKY, 1);
    const p = await c.waitForDiagnostics(uri, { version: 1 });
    assert.deepEqual(
      p.diagnostics.map((d) => d.code),
      ['lock-imbalance'],
    );
    await c.shutdown();
  });
});

describe('budgets: a function too big for the engine is reported as incomplete, never skipped in silence', () => {
  test('3,000 nested ifs named on the command line: a message naming the function and the budget, exit 2', (t) => {
    const dir = tempDir(t);
    fs.writeFileSync(path.join(dir, 'deep.c'), `${deepNesting(3000)}\n${LEAKY}`);
    const r = cli(['check', 'deep.c'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stderr, STACK);
    assert.match(r.stderr, /deep\.c:1: deep\(\) not analysed: it nests over \d+ syntax levels deep/);
    assert.match(r.stdout, /widget_grow.*|lock-imbalance/, 'the other function in the file is still checked');
    const json = JSON.parse(cli(['check', 'deep.c', '--format', 'json'], dir).stdout) as {
      stats: { incomplete?: { function: string; reason: string }[] };
    };
    assert.deepEqual(
      json.stats.incomplete?.map((i) => i.function),
      ['deep'],
    );
    const sarif = JSON.parse(cli(['check', 'deep.c', '--format', 'sarif'], dir).stdout) as {
      runs: { invocations: { toolExecutionNotifications: { message: { text: string } }[] }[] }[];
    };
    assert.match(sarif.runs[0].invocations[0].toolExecutionNotifications[0].message.text, /deep\(\) not analysed/);
  });

  test(
    'in whole-tree mode (extraction workers) the same, ' + 'and inside a folder it is a warning, not an input error',
    (t) => {
      const tree = kernelTree(t);
      fs.writeFileSync(path.join(tree, 'fs', 'widget', 'deep.c'), deepNesting(3000));
      const named = cli(['check', 'fs/widget/deep.c', '--no-cache', '--jobs', '2'], tree);
      assert.equal(named.code, 2, named.stderr);
      assert.match(named.stderr, /deep\(\) not analysed/);
      const folder = cli(['check', 'fs/widget', '--no-cache', '--jobs', '2'], tree);
      assert.equal(folder.code, 1, 'the planted bug in widget.c still decides the exit code');
      assert.match(folder.stderr, /deep\.c:1: deep\(\) not analysed/);
    },
  );
});

describe('line breaks', () => {
  test('a file with CR-only line breaks: findings on their real lines, as with LF', (t) => {
    const dir = tempDir(t);
    fs.writeFileSync(path.join(dir, 'lf.c'), LEAKY);
    fs.writeFileSync(path.join(dir, 'cr.c'), LEAKY.replace(/\n/g, '\r'));
    fs.writeFileSync(path.join(dir, 'crlf.c'), LEAKY.replace(/\n/g, '\r\n'));
    const at = (f: string) =>
      (
        JSON.parse(cli(['check', f, '--format', 'json'], dir).stdout) as {
          findings: { line: number; column: number }[];
        }
      ).findings.map((x) => [x.line, x.column]);
    const lf = at('lf.c');
    assert.ok(lf.length > 0 && lf[0][0] > 1);
    assert.deepEqual(at('cr.c'), lf);
    assert.deepEqual(at('crlf.c'), lf);
  });
});

describe("budgets: the solver's and the summary's", () => {
  /** A correct function with `n` independent conditional locks: 2^n lock states meet at the call in the middle. */
  const manyConditional = (n: number): string => {
    const ids = [...Array(n).keys()];
    return [
      '#include <linux/spinlock.h>',
      `struct gadget { ${ids.map((i) => `spinlock_t l${i};`).join(' ')} };`,
      'void gadget_work(void);',
      `void gadget_many(struct gadget *g, ${ids.map((i) => `int c${i}`).join(', ')})`,
      '{',
      ...ids.map((i) => `\tif (c${i})\n\t\tspin_lock(&g->l${i});`),
      '\tgadget_work();',
      ...ids.map((i) => `\tif (c${i})\n\t\tspin_unlock(&g->l${i});`),
      '}',
      '',
    ].join('\n');
  };

  test('too many lock states at one point: the function is reported as not analysed, with the budget', (t) => {
    const dir = tempDir(t);
    fs.writeFileSync(path.join(dir, 'many.c'), `${manyConditional(7)}\n${LEAKY}`);
    const r = cli(['check', 'many.c'], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /many\.c:4: gadget_many\(\) not analysed: over \d+ lock states meet at one point/);
    assert.match(r.stdout, /lock-imbalance/, 'the other function in the file is still checked');
    // under the budget the same shape is analysed in full, and nothing is said
    fs.writeFileSync(path.join(dir, 'few.c'), manyConditional(3));
    const few = cli(['check', 'few.c'], dir);
    assert.equal(few.code, 0, few.stderr);
    assert.doesNotMatch(few.stderr, /not analysed/);
  });

  test('a summary past its budget: cut, said so, and the function itself still checked (exit 1, not 2)', (t) => {
    const dir = tempDir(t);
    const n = 600;
    const ids = [...Array(n).keys()];
    const text = [
      '#include <linux/spinlock.h>',
      ...ids.map((i) => `static DEFINE_SPINLOCK(gadget_lock_${i});`),
      'void gadget_touch_all(void)',
      '{',
      ...ids.map((i) => `\tspin_lock(&gadget_lock_${i});\n\tspin_unlock(&gadget_lock_${i});`),
      '}',
      'int gadget_leak(int busy)',
      '{',
      '\tspin_lock(&gadget_lock_0);',
      '\tif (busy)',
      '\t\treturn -EBUSY;',
      '\tspin_unlock(&gadget_lock_0);',
      '\treturn 0;',
      '}',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'wide.c'), text);
    const r = cli(['check', 'wide.c', '--format', 'json'], dir);
    assert.equal(r.code, 1, r.stderr);
    const json = JSON.parse(r.stdout) as {
      findings: { function: string; kind: string }[];
      stats: { incomplete?: { function: string; reason: string; part?: string }[] };
    };
    assert.deepEqual(
      json.findings.map((f) => [f.function, f.kind]),
      [['gadget_leak', 'lock-imbalance']],
    );
    const cut = json.stats.incomplete?.find((i) => i.function === 'gadget_touch_all');
    assert.equal(cut?.part, 'summary');
    assert.match(cut?.reason ?? '', /600 locks taken inside; callers see the first 512/);
    assert.match(r.stderr, /gadget_touch_all\(\) summarised in part/);
  });
});

describe('a bad grammar folder in whole-tree mode', () => {
  test('one message naming the problem, exit 2, no worker stack trace', (t) => {
    const tree = kernelTree(t);
    const bad = tempDir(t, 'lockscope-badgrammar-');
    for (const f of fs.readdirSync(path.join(repoRoot(), 'grammars')))
      fs.copyFileSync(path.join(repoRoot(), 'grammars', f), path.join(bad, f));
    fs.writeFileSync(path.join(bad, 'calls.scm'), '(this is not a query');
    const r = cli(['check', 'fs/widget', '--grammars', bad, '--no-cache', '--jobs', '2'], tree);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /calls\.scm does not compile against the grammar/);
    assert.doesNotMatch(r.stderr, STACK);
  });
});
