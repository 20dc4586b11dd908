/**
 * The baseline: accepted findings written once, left out afterwards even when the code around them
 * moves; a new finding still shows; a broken baseline is a usage error, never an empty baseline.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { STACK, cli, tempDir } from './run';
import { FOO_FLUSH } from '../support/samples';

const OLD = FOO_FLUSH;

const NEW = `
static void bar_twice(struct bar *b)
{
	spin_lock(&b->lock);
	spin_lock(&b->lock);
	spin_unlock(&b->lock);
	spin_unlock(&b->lock);
}
`;

test('write a baseline, then only new findings are reported; SARIF carries the fingerprint', (t) => {
  const dir = tempDir(t);
  fs.mkdirSync(path.join(dir, 'fs', 'foo'), { recursive: true });
  const file = path.join(dir, 'fs', 'foo', 'foo.c');
  fs.writeFileSync(file, OLD);
  const w = cli(['check', '.', '--write-baseline', '.lockscope-baseline.json'], dir);
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stderr, /wrote 1 finding to the baseline/);
  const saved = JSON.parse(fs.readFileSync(path.join(dir, '.lockscope-baseline.json'), 'utf8'));
  assert.equal(saved.version, 1);
  assert.deepEqual(
    saved.findings.map((f: { kind: string; file: string; function: string }) => [f.kind, f.file, f.function]),
    [['lock-imbalance', 'fs/foo/foo.c', 'foo_flush']],
  );

  // the baseline in the folder is picked up; moving the code down does not bring the finding back
  fs.writeFileSync(file, `/* a comment */\n\n\n${OLD}`);
  const quiet = cli(['check', '.'], dir);
  assert.equal(quiet.code, 0, quiet.stdout);
  assert.match(quiet.stderr, /1 finding left out: in the baseline/);
  // checking the subfolder: the baseline's path still matches by suffix (given explicitly)
  const sub = cli(['check', 'fs/foo', '--baseline', '.lockscope-baseline.json', '--format', 'json'], dir);
  assert.equal(sub.code, 0, sub.stderr);
  assert.equal(JSON.parse(sub.stdout).stats.baselined, 1);
  // from inside another folder, the file prints as ../foo/foo.c: still the baseline's fs/foo/foo.c
  fs.mkdirSync(path.join(dir, 'fs', 'other'));
  const up = cli(
    ['check', '../foo', '--baseline', '../../.lockscope-baseline.json', '--format', 'json'],
    path.join(dir, 'fs', 'other'),
  );
  assert.equal(up.code, 0, up.stdout);
  assert.equal(JSON.parse(up.stdout).stats.baselined, 1);

  // a new bug is reported; --no-baseline shows everything
  fs.writeFileSync(file, `${OLD}${NEW}`);
  const json = cli(['check', '.', '--format', 'json'], dir);
  assert.equal(json.code, 1);
  const report = JSON.parse(json.stdout);
  assert.deepEqual(
    report.findings.map((f: { kind: string; function: string }) => [f.kind, f.function]),
    [['recursive-lock', 'bar_twice']],
  );
  assert.equal(report.stats.baselined, 1);
  assert.equal(JSON.parse(cli(['check', '.', '--format', 'json', '--no-baseline'], dir).stdout).findings.length, 2);
  const sarif = JSON.parse(cli(['check', '.', '--format', 'sarif', '--no-baseline'], dir).stdout);
  const prints = sarif.runs[0].results.map(
    (r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints['lockscope/v1'],
  );
  assert.equal(prints.length, 2);
  assert.ok(prints.every((p: string) => /^[0-9a-f]{16}$/.test(p)));
  assert.ok(prints.includes(saved.findings[0].fingerprint), 'the SARIF fingerprint is the baseline one');
});

test('a broken baseline is a usage error with its name, not an empty baseline', (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'foo.c'), OLD);
  fs.writeFileSync(path.join(dir, '.lockscope-baseline.json'), '{"version": 1, "findings": [{"kind": "x"}]}');
  const r = cli(['check', '.'], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\.lockscope-baseline\.json: findings\[0\] needs "fingerprint" and "file"/);
  assert.doesNotMatch(r.stderr, STACK);
  fs.writeFileSync(path.join(dir, '.lockscope-baseline.json'), 'not json');
  assert.match(cli(['check', '.'], dir).stderr, /not JSON/);
  assert.equal(cli(['check', '.', '--baseline', 'missing.json'], dir).code, 2);
  assert.equal(cli(['check', '.', '--baseline', 'x', '--no-baseline'], dir).code, 2);
});
