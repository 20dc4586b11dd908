/**
 * `lockscope check --kconfig FILE` on the kernel-shaped tree test/trees/kconfig-arms: its own .config (read
 * by default; trees.test.ts holds it to its inline expectations), another configuration given on the command
 * line, none at all (a copy without .config: both arms of ordinary options, none of debug-only ones), and a
 * file that is not a .config (exit 2, the bad lines named).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../support/engine';

const tree = path.join(repoRoot(), 'test', 'trees', 'kconfig-arms');

function check(cwd: string, ...extra: string[]) {
  const r = spawnSync(
    process.execPath,
    [
      path.join(repoRoot(), 'bin', 'lockscope.js'),
      'check',
      '.',
      '--format',
      'json',
      '--confidence',
      'low',
      '--no-cache',
      '--jobs',
      '0',
      ...extra,
    ],
    { encoding: 'utf8', cwd },
  );
  const findings: string[] = r.stdout
    ? (JSON.parse(r.stdout) as { findings: { file: string; line: number; kind: string }[] }).findings.map(
        (f) => `${f.file}:${f.line}:${f.kind}`,
      )
    : [];
  return { status: r.status, stderr: r.stderr, findings };
}

describe('check --kconfig', () => {
  test("the tree's own .config: only the bug of a file it builds", () => {
    const r = check(tree);
    assert.deepEqual(r.findings, ['fs/foo/stats.c:9:lock-imbalance'], r.stderr);
  });

  test('another configuration: its arms, and the file it does not build left out', () => {
    const r = check(tree, '--kconfig', 'configs/nostats.config');
    assert.deepEqual(r.findings, ['fs/foo/super.c:32:double-unlock', 'fs/foo/super.c:44:double-unlock'], r.stderr);
    assert.match(r.stderr, /1 file not indexed: not built with configs\/nostats\.config/);
    // a file named on the command line is analysed all the same
    const named = spawnSync(
      process.execPath,
      [
        path.join(repoRoot(), 'bin', 'lockscope.js'),
        'check',
        'fs/foo/stats.c',
        '--kconfig=configs/nostats.config',
        '--no-cache',
        '--jobs=0',
        '-q',
      ],
      { encoding: 'utf8', cwd: tree },
    );
    assert.match(named.stdout, /^fs\/foo\/stats\.c:9:3: warning: lock imbalance/);
  });

  test('no .config: ordinary arms both analysed, as before; debug-only ones not', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-kconfig-tree-'));
    try {
      fs.cpSync(tree, copy, { recursive: true });
      fs.rmSync(path.join(copy, '.config'));
      const r = check(copy);
      assert.deepEqual(
        r.findings,
        [
          'fs/foo/stats.c:9:lock-imbalance',
          'fs/foo/super.c:14:recursive-lock',
          'fs/foo/super.c:32:double-unlock',
          'fs/foo/super.c:44:double-unlock',
        ],
        r.stderr,
      );
      // CONFIG_DEBUG_FOO set: the debug-only header's own bug is back
      fs.writeFileSync(path.join(copy, 'debug.config'), 'CONFIG_FOO_FS=y\nCONFIG_FOO_STATS=y\nCONFIG_DEBUG_FOO=y\n');
      assert.ok(
        check(copy, '--kconfig', 'debug.config').findings.includes('include/linux/foo_debug.h:15:recursive-lock'),
      );
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  test('a file that is not a .config: exit 2, with the lines that are wrong', () => {
    const r = check(tree, '--kconfig', 'configs/broken.config');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--kconfig: configs\/broken\.config: not a kernel \.config \(line 2: .*; line 3: /);
    const missing = check(tree, '--kconfig', 'configs/none.config');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /configs\/none\.config: cannot read the kernel configuration \(no such file\)/);
  });
});
