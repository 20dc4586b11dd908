/**
 * Progress while a tree is indexed (issue 15, item 2): the CLI's line on a terminal and plain lines
 * otherwise, the editor's work-done progress per phase, and one cache key for the CLI and the editor when
 * their settings match.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { defaultSettings, parseSettings } from '../../server/src/engine';
import { Progress, progressInterval } from '../../server/src/cli/progress';
import { progressOf } from '../../server/src/lsp/indexing';
import { type BuildPhase, cacheKeyFor } from '../../server/src/tree/build';
import { repoRoot } from '../support/engine';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, columns: 60, write: (s: string) => out.push(s) } };
}

describe('CLI progress', () => {
  test('a terminal: one line rewritten in place, at most every 100 ms, erased at the end', () => {
    let now = 0;
    const { out, stream } = sink(true);
    const p = new Progress(stream, { now: () => now });
    p.update(0, 100, 'parsing');
    now = 50;
    p.update(10, 100, 'parsing'); // too soon
    now = 200;
    p.update(20, 100, 'parsing');
    p.update(0, 500, 'linking'); // a new phase shows at once
    p.note('a note');
    p.stop();
    assert.equal(out.length, 5, JSON.stringify(out));
    assert.ok(out.slice(0, 3).every((s) => s.startsWith('\r\x1b[K') && !s.includes('\n')));
    assert.match(out[0], /parsing 0\/100 files \(0 %\)/);
    assert.match(out[1], /parsing 20\/100 files \(20 %\)/);
    assert.match(out[2], /linking calls/);
    assert.equal(out[3], '\r\x1b[K', 'a note erases the line first');
    assert.equal(out[4], 'lockscope: a note\n');
    assert.ok(
      out.every((s) => s.replace('\r\u001b[K', '').length < 60),
      'cut to the terminal width',
    );
  });

  test('a pipe: plain lines, one per phase and one per interval', () => {
    let now = 0;
    const { out, stream } = sink(false);
    const p = new Progress(stream, { now: () => now, interval: 1000 });
    const phases: [BuildPhase, number][] = [
      ['parsing', 0],
      ['parsing', 500],
      ['parsing', 1000],
      ['parsing', 1500],
      ['linking', 1600],
      ['checking', 1600],
      ['checking', 3000],
    ];
    for (const [phase, t] of phases) {
      now = t;
      p.update(t, 3000, phase);
    }
    p.stop();
    assert.deepEqual(
      out.map((s) => s.replace(/ \[\d+ s\]\n$/, '')),
      [
        'lockscope: parsing 0/3000 files (0 %)',
        'lockscope: parsing 1000/3000 files (33 %)',
        'lockscope: linking calls',
        'lockscope: checking 1600/3000 functions (53 %)',
        'lockscope: checking 3000/3000 functions (100 %)',
      ],
    );
  });

  test('--quiet: nothing at all', () => {
    const { out, stream } = sink(false);
    const p = new Progress(stream, { quiet: true });
    p.update(1, 2, 'parsing');
    p.note('x');
    p.start();
    p.stop();
    assert.deepEqual(out, []);
  });

  test('$LOCKSCOPE_PROGRESS_INTERVAL sets the interval of the plain lines (ms)', () => {
    assert.equal(progressInterval({}), 1000);
    assert.equal(progressInterval({ LOCKSCOPE_PROGRESS_INTERVAL: '250' }), 250);
    assert.equal(progressInterval({ LOCKSCOPE_PROGRESS_INTERVAL: 'x' }), 1000);
  });
});

describe('editor progress', () => {
  test('each phase says what it does and moves the bar forward; linking is not 100 %', () => {
    const steps: [BuildPhase, number, number][] = [
      ['hashing', 10, 100],
      ['parsing', 0, 100],
      ['parsing', 100, 100],
      ['linking', 0, 5000],
      ['checking', 2500, 5000],
      ['checking', 5000, 5000],
      ['saving', 0, 1],
    ];
    const shown = steps.map(([phase, done, total]) => progressOf({ phase, done, total }));
    for (let i = 1; i < shown.length; i++) assert.ok(shown[i].percent >= shown[i - 1].percent, JSON.stringify(shown));
    assert.ok(shown.every((s) => s.percent < 100));
    assert.equal(shown[3].message, 'linking calls');
    assert.equal(shown[4].message, 'checking 2500/5000 functions');
    assert.equal(shown[2].message, 'parsing 100/100 files');
  });
});

describe('one cache for the CLI and the editor', () => {
  test('the settings the editor sends (package.json defaults, any order) give the CLI default key', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default: unknown }> } };
    };
    const sent: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(pkg.contributes.configuration.properties).reverse())
      sent[k.replace(/^lockscope\./, '')] = v.default;
    delete sent.grammarDirectory; // read at start-up only
    delete sent.allowUnpinnedGrammar;
    sent.confidence = 'low'; // what is shown, not what is found
    sent['trace.server'] = 'verbose';
    sent['index.workers'] = 3;
    const editor = parseSettings(sent, 'settings');
    assert.deepEqual(editor.problems, []);
    assert.equal(cacheKeyFor(editor.settings), cacheKeyFor(defaultSettings()));
    const other = { ...defaultSettings(), loopMacros: ['foo_each'] };
    assert.notEqual(cacheKeyFor(other), cacheKeyFor(defaultSettings()), 'a setting that changes findings');
  });

  test('the CLI and the indexer bundles of one build carry the same engine id (the cache key names it)', () => {
    const id = fs.readFileSync(path.join(repoRoot(), 'dist', 'engine-id.txt'), 'utf8').trim();
    assert.match(id, /^[0-9a-f]{16}$/);
    for (const b of ['cli.js', 'indexer.js'])
      assert.ok(fs.readFileSync(path.join(repoRoot(), 'dist', b), 'utf8').includes(`"${id}"`), b);
  });

  test('the editor does not ask for a cache of its own: the server uses the CLI default', () => {
    const ext = fs.readFileSync(path.join(repoRoot(), 'client', 'src', 'extension.ts'), 'utf8');
    assert.doesNotMatch(ext, /cacheDir:/);
  });
});
