/**
 * The CLI as a terminal user and a CI job meet it (issue 15, items 2, 6 and 7), on a copy of
 * test/trees/seed000-5.9: progress lines on a stderr that is not a terminal (and none with --quiet), in
 * `report` too; the summary per kind and confidence and the parse errors explained; per-command --help with
 * exit 0, `--opt=value` everywhere, a short usage after a mistake, "did you mean" for a misspelt option or
 * function, `-o FILE`. Every run passes --no-cache or a --cache-dir of its own.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { STACK, USAGE_LINE, type Run, tempDir } from './run';
import { root as repoRoot } from '../support/lsp';

const TREE = 'seed000-5.9';

function treeCopy(t: { after: (fn: () => void) => void }): string {
  const d = tempDir(t, 'lockscope-cli-ux-');
  fs.cpSync(path.join(repoRoot(), 'test', 'trees', TREE), path.join(d, TREE), { recursive: true });
  return d;
}

function run(args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [path.join(repoRoot(), 'bin', 'lockscope.js'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120000,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  if (r.error) throw r.error;
  assert.doesNotMatch(r.stderr, STACK, r.stderr);
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const FAST = { LOCKSCOPE_PROGRESS_INTERVAL: '10' };
const PROGRESS = /^lockscope: (reading|parsing|linking|checking|saving)\b.*\[\d+ s\]$/m;

describe('progress on stderr', () => {
  test('check on a pipe: parsing files / total, linking, checking functions / total, as plain lines', (t) => {
    const d = treeCopy(t);
    const r = run(['check', TREE, '--no-cache', '--jobs', '0', '--format', 'json'], d, FAST);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^lockscope: parsing \d+\/7 files \(\d+ %\) \[\d+ s\]$/m);
    assert.match(r.stderr, /^lockscope: linking calls \[\d+ s\]$/m);
    assert.match(r.stderr, /^lockscope: checking \d+\/\d+ functions \(\d+ %\) \[\d+ s\]$/m);
    assert.ok(!r.stderr.includes('\r') && !r.stderr.includes('\u001b['), 'no terminal control on a pipe');
    assert.ok(r.stdout.startsWith('{'), 'stdout keeps the JSON alone');
  });

  test('--quiet: no progress, notes or summary; the findings still come', (t) => {
    const d = treeCopy(t);
    const r = run(['check', TREE, '--no-cache', '--jobs', '0', '--quiet'], d, FAST);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /warning: possible recursive locking/);
  });

  test('report prints progress too (with --opt=value), and -o writes the graph to a file', (t) => {
    const d = treeCopy(t);
    const r = run(
      ['report', 'btrfs_file_write_iter', `--root=${TREE}`, '--depth=2', '--format=dot', '--no-cache', '-o', 'g.dot'],
      d,
      FAST,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, PROGRESS);
    assert.equal(r.stdout, '');
    assert.match(fs.readFileSync(path.join(d, 'g.dot'), 'utf8'), /^digraph/);
  });
});

describe('summary lines', () => {
  test('a count per kind and per confidence; the parse errors explained with the docs section', (t) => {
    const d = treeCopy(t);
    const r = run(['check', TREE, '--no-cache', '--jobs', '0', '--confidence', 'low'], d);
    assert.equal(r.code, 1, r.stderr);
    const byKind = /^lockscope: by kind: (.*); by confidence: (.*)$/m.exec(r.stderr);
    assert.ok(byKind, r.stderr);
    const found = (r.stdout.match(/^\S+: (?:warning|error|note): .*\[([a-z-]+)/gm) ?? []).length;
    const counted = [...byKind[1].matchAll(/(\d+) [a-z-]+/g)].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(counted, found, 'the kinds add up to the findings printed');
    assert.match(byKind[2], /^\d+ (high|medium|low)/);
    const broken = /\((\d+) with parse errors\)/.exec(r.stderr);
    assert.ok(broken && Number(broken[1]) > 0, 'the seed tree has a function with a parse error');
    assert.match(r.stderr, /functions? ha(s|ve) parse errors: .*still checked.*docs\/findings\.md#parse-errors/);
    const doc = fs.readFileSync(path.join(repoRoot(), 'docs', 'findings.md'), 'utf8');
    assert.match(doc, /^## Parse errors$/m, 'the section the summary points to exists');
    assert.doesNotMatch(r.stderr, /indirectUnresolved/);
  });

  test('JSON stats count the findings per kind', (t) => {
    const d = treeCopy(t);
    const r = run(['check', TREE, '--no-cache', '--jobs', '0', '--format=json', '-o', 'out.json'], d);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '', '-o takes the output off stdout');
    const j = JSON.parse(fs.readFileSync(path.join(d, 'out.json'), 'utf8')) as {
      findings: { kind: string }[];
      stats: { kinds: Record<string, number> };
    };
    const want: Record<string, number> = {};
    for (const f of j.findings) want[f.kind] = (want[f.kind] ?? 0) + 1;
    assert.deepEqual(j.stats.kinds, want);
  });
});

describe('command line', () => {
  for (const cmd of ['check', 'report', 'lsp']) {
    test(`${cmd} --help and -h: the command's options on stdout, exit 0`, (t) => {
      const d = tempDir(t);
      for (const h of ['--help', '-h']) {
        const r = run([cmd, h], d);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`^usage: lockscope ${cmd} `));
        assert.match(r.stdout, /^Options:$/m);
      }
      assert.equal(run(['help', cmd], d).stdout, run([cmd, '--help'], d).stdout);
    });
  }

  test('a mistake prints the reason and the short usage of its command, not every option', (t) => {
    const d = tempDir(t);
    const r = run(['check', '.', '--frmat', 'json'], d);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^lockscope: unknown option --frmat \(did you mean --format\?\)$/m);
    assert.match(r.stderr, USAGE_LINE);
    assert.match(r.stderr, /lockscope check --help/);
    assert.doesNotMatch(r.stderr, /--cache-dir|lockscope report/, 'the short usage only');
    assert.ok(r.stderr.split('\n').length <= 4, r.stderr);
    const v = run(['check', '.', '--format=xml'], d);
    assert.match(v.stderr, /unknown format "xml" \(text, json, sarif\)/);
    const b = run(['check', '.', '--exit-zero=1'], d);
    assert.match(b.stderr, /--exit-zero takes no value/);
  });

  test('report: a misspelt function gets the closest names of the index, with exit 2 and no usage', (t) => {
    const d = treeCopy(t);
    const r = run(['report', 'btrfs_sync_fil', '--root', TREE, '--no-cache', '--quiet'], d);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^lockscope: no function btrfs_sync_fil in the tree under .* \(did you mean btrfs_sync_file\?\)$/m,
    );
    assert.doesNotMatch(r.stderr, /usage:/);
    const f = run(['report', 'fs/btrfs/fle.c:btrfs_sync_file', '--root', TREE, '--no-cache', '--quiet'], d);
    assert.match(f.stderr, /no file fs\/btrfs\/fle\.c .*did you mean fs\/btrfs\/file\.c/);
  });
});
