/**
 * `lockscope contracts` on a kernel-shaped tree (test/trees/contracts: callers in one file, the callees that
 * assert or release the lock in another): the diff names files from the tree's root, `git apply` takes it, and
 * once applied there is nothing left to add; the sources themselves are never written. Also JSON, --verbose,
 * --per-file and the exit codes.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/engine';

const root = repoRoot();
const tree = path.join(root, 'test', 'trees', 'contracts');
const run = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [path.join(root, 'bin', 'lockscope.js'), 'contracts', '--no-cache', ...args], {
    encoding: 'utf8',
    cwd,
  });

function copyTree(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-contracts-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  fs.cpSync(tree, d, { recursive: true });
  return d;
}

const git = (cwd: string, ...args: string[]) => spawnSync('git', args, { encoding: 'utf8', cwd });

test('the diff applies with git apply from the tree root, and a second run has nothing to add', (t) => {
  const d = copyTree(t);
  const before = fs.readFileSync(path.join(d, 'fs/ledgerfs/batch.c'), 'utf8');
  const r = run(d, 'fs/ledgerfs', '-q');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  // lockscope wrote nothing itself
  assert.equal(fs.readFileSync(path.join(d, 'fs/ledgerfs/batch.c'), 'utf8'), before);
  assert.match(r.stdout, /^diff --git a\/fs\/ledgerfs\/batch\.c b\/fs\/ledgerfs\/batch\.c$/m);
  // the callers' contracts come from the callees in post.c (the tree's index)
  assert.match(r.stdout, /^\+\t__must_hold\(&l->book_lock\)$/m);
  assert.match(r.stdout, /^\+static void ledger_finish\(struct ledger \*l\) __releases\(&l->book_lock\)$/m);
  assert.doesNotMatch(r.stdout, /ledger_maybe_finish\(struct ledger \*l, bool done\) __/);
  const patch = path.join(d, '..', `${path.basename(d)}.patch`);
  t.after(() => fs.rmSync(patch, { force: true }));
  fs.writeFileSync(patch, r.stdout);
  const check = git(d, 'apply', '--check', '-p1', patch);
  assert.equal(check.status, 0, check.stderr);
  const apply = git(d, 'apply', '-p1', patch);
  assert.equal(apply.status, 0, apply.stderr);
  const after = fs.readFileSync(path.join(d, 'fs/ledgerfs/batch.c'), 'utf8');
  assert.match(after, /\tint i;\n\n\tlockdep_assert_held\(&l->book_lock\);\n\n\tfor \(i = 0;/);
  const again = run(d, 'fs/ledgerfs', '-q');
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, '', 'applied, the contracts are stated');
});

test('--format json lists what is added and what is left out, and why; --verbose says it on stderr', (t) => {
  const d = copyTree(t);
  const r = run(d, 'fs/ledgerfs/batch.c', '--format', 'json', '--verbose');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    file: string;
    functions: { function: string; annotations: string[]; assertions: string[]; skipped: string[] }[];
  }[];
  assert.deepEqual(
    out.map((f) => f.file),
    ['fs/ledgerfs/batch.c'],
  );
  const fn = (n: string) => out[0].functions.find((f) => f.function === n);
  assert.deepEqual(fn('ledger_post_batch')?.annotations, ['__must_hold(&l->book_lock)']);
  assert.deepEqual(fn('ledger_post_batch')?.assertions, ['lockdep_assert_held(&l->book_lock);']);
  assert.deepEqual(fn('ledger_maybe_finish')?.skipped, ['&l->book_lock: released only when done is true']);
  // a method (installed in an ops table in another file) gets nothing from its callee's assertion
  assert.deepEqual(fn('ledger_audit')?.annotations, []);
  assert.ok(
    fn('ledger_audit')?.skipped.some((s) => s.includes('a method (ledger_operations::audit)')),
    JSON.stringify(fn('ledger_audit')),
  );
  assert.match(
    r.stderr,
    /^fs\/ledgerfs\/batch\.c:21: ledger_maybe_finish\(\): left out: &l->book_lock: released only when done is true$/m,
  );
  assert.match(r.stderr, /^lockscope: 4 annotations and assertions for 2 functions in 1 file; 2 functions with/m);
});

test('--per-file outside a tree: paths relative to where it runs; usage and input errors exit 2', (t) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-contracts-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  fs.copyFileSync(path.join(root, 'test/trees/contracts/fixtures/basic.c'), path.join(d, 'basic.c'));
  const r = run(d, 'basic.c', '-q');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^--- a\/basic\.c$/m);
  const patch = `${d}.patch`;
  t.after(() => fs.rmSync(patch, { force: true }));
  fs.writeFileSync(patch, r.stdout);
  assert.equal(git(d, 'apply', '--check', patch).status, 0);
  const none = run(d);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /contracts needs at least one file or directory\nusage: lockscope contracts/);
  const missing = run(d, 'nothere.c');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nothere\.c: no such file or directory/);
  const help = run(d, '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--format FMT\s+diff \(default/);
});
