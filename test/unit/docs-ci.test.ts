/**
 * docs/ci.md (issue 15, item 10): the GitHub Actions workflow caches the index, checks the changed subsystems
 * with a baseline, and uploads SARIF; every lockscope command line in it is one the CLI accepts.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { flag, parseCommand, str } from '../../server/src/cli/args';
import { repoRoot } from '../support/engine';

const doc = fs.readFileSync(path.join(repoRoot(), 'docs', 'ci.md'), 'utf8');
const workflow = /```yaml\n([^]*?)```/.exec(doc)?.[1] ?? '';

/** The lockscope command lines of the doc (a folded `run: >` block joined), with `${{ ... }}` filled in. */
function commands(): string[][] {
  const joined = doc.replace(/\n\s+(?=--)/g, ' ').replace(/\$\{\{ steps\.changed\.outputs\.dirs \}\}/g, 'fs/ext4');
  return [...joined.matchAll(/lockscope(?:\/bin\/lockscope)?\.js (check [^\n`]*)/g)].map((m) =>
    m[1].trim().split(/\s+/),
  );
}

test('the workflow caches the index, uploads SARIF and may write security events', () => {
  assert.ok(workflow, 'no yaml block in docs/ci.md');
  assert.match(workflow, /uses: actions\/cache@v\d/);
  assert.match(workflow, /LOCKSCOPE_CACHE_DIR: \$\{\{ runner\.temp \}\}\/lockscope-cache/);
  assert.match(workflow, /path: \$\{\{ runner\.temp \}\}\/lockscope-cache/, 'the cache action keeps the folder used');
  assert.match(workflow, /uses: github\/codeql-action\/upload-sarif@v\d/);
  assert.match(workflow, /security-events: write/);
  assert.match(workflow, /dist\/engine-id\.txt/, 'the cache key names the lockscope build');
  assert.ok(fs.existsSync(path.join(repoRoot(), 'dist', 'engine-id.txt')), 'the build writes dist/engine-id.txt');
});

test('its lockscope commands are ones the CLI accepts: SARIF to a file, with the baseline', () => {
  const cmds = commands();
  assert.ok(cmds.length >= 2, JSON.stringify(cmds));
  for (const [cmd, ...args] of cmds) {
    assert.equal(cmd, 'check');
    parseCommand('check', args); // throws on an option the CLI does not have
  }
  const run = parseCommand('check', cmds[0].slice(1));
  assert.equal(str(run, 'format'), 'sarif');
  assert.equal(str(run, 'output'), 'lockscope.sarif');
  assert.equal(str(run, 'baseline'), '.lockscope-baseline.json');
  assert.deepEqual(run.positionals, ['fs/ext4']);
  assert.ok(cmds.some((c) => str(parseCommand('check', c.slice(1)), 'write-baseline')));
  assert.ok(!flag(run, 'exit-zero'), 'new findings must fail the job');
});

test('the README points at it', () => {
  assert.match(fs.readFileSync(path.join(repoRoot(), 'README.md'), 'utf8'), /\]\(docs\/ci\.md\)/);
});
