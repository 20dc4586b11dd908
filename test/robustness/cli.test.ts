/**
 * The CLI on bad input: half-typed code, unbalanced braces, a binary file named .c, a 5 MB file,
 * bad usage. Each gives a clear message or partial results and a documented exit code (0 no
 * findings, 1 findings, 2 usage/input error), never a crash or a stack trace. Also the documented
 * shapes of `--format json` and `--format sarif`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { STACK, SUMMARY, USAGE_LINE, cli, tempDir } from './run';
import { LEAKY } from '../support/samples';
import { FINDING_KINDS } from '../../server/src/engine/model';

/** A function cut off while typing (unterminated call, no closing brace). */
const HALF_TYPED = `static int widget_trim(struct widget *w)
{
	spin_lock(&w->state_lock);
	if (w->busy)
		return -EBUSY;
	spin_unlock(&w->sta`;

const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

function assertNoCrash(r: {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
}): void {
  assert.equal(r.signal, null, `killed by ${r.signal}`);
  assert.doesNotMatch(r.stderr, STACK, `stack trace or internal error on stderr:\n${r.stderr}`);
  assert.doesNotMatch(r.stdout, STACK, `stack trace or internal error on stdout:\n${r.stdout}`);
}

interface JsonOut {
  version: number;
  findings: {
    kind: string;
    message: string;
    severity: string;
    file: string;
    line: number;
    column: number;
    function: string;
    lock: { class: string | null; instance: string };
    confidence: string;
    doubts?: string[];
    path: { file: string; line: number; function: string; note: string }[];
  }[];
  stats: {
    files: number;
    functions: number;
    seconds: number;
    functionsWithParseErrors: number;
    lockSites: { found: number; modelled: number };
    skipped: { file: string; reason: string }[];
  };
}

describe('CLI robustness', () => {
  test('a half-typed function before complete ones: partial results, exit 1', (t) => {
    const d = tempDir(t);
    const text = `${HALF_TYPED}\n\n${LEAKY}`;
    fs.writeFileSync(path.join(d, 'half.c'), text);
    const r = cli(['check', 'half.c'], d);
    assertNoCrash(r);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^half\\.c:${lineOf(text, 'return -ENOMEM;')}:\\d+: warning: .*\\[lock-imbalance\\]`, 'm'),
    );
    const s = SUMMARY.exec(r.stderr);
    assert.ok(s, `summary line missing:\n${r.stderr}`);
    assert.ok(Number(s[4]) >= 1, `the half-typed function is counted as having parse errors: ${s[0]}`);
  });

  test(
    'a half-typed function at the end of the file: ' +
      'complete functions still analysed, the gap is visible in the stats',
    (t) => {
      const d = tempDir(t);
      const text = `${LEAKY}\n${HALF_TYPED}`;
      fs.writeFileSync(path.join(d, 'tail.c'), text);
      const r = cli(['check', 'tail.c', '--format', 'json'], d);
      assertNoCrash(r);
      assert.equal(r.code, 1, r.stderr);
      const out = JSON.parse(r.stdout) as JsonOut;
      assert.deepEqual(
        out.findings.map((f) => [f.kind, f.line]),
        [['lock-imbalance', lineOf(text, 'return -ENOMEM;')]],
      );
      // the unfinished function is either counted as a parse error or shows up as an unmodelled lock site
      const s = out.stats;
      assert.ok(s.functionsWithParseErrors >= 1 || s.lockSites.modelled < s.lockSites.found, JSON.stringify(s));
    },
  );

  test('unbalanced braces: no crash, the well-formed function after them is still checked', (t) => {
    const d = tempDir(t);
    const text = `static void gadget_poke(struct gadget *g)
{
	mutex_lock(&g->lock);
	if (g->armed) {
		g->armed = false;
	mutex_unlock(&g->lock);
}
}
}

static void gadget_kick(struct gadget *g)
{
	spin_lock(&g->kick_lock);
	g->kicks++;
	spin_lock(&g->kick_lock);
	spin_unlock(&g->kick_lock);
}
`;
    fs.writeFileSync(path.join(d, 'braces.c'), text);
    const r = cli(['check', '.'], d);
    assertNoCrash(r);
    assert.equal(r.code, 1, r.stderr);
    const second = text.indexOf('spin_lock', text.indexOf('g->kicks++'));
    assert.match(
      r.stdout,
      new RegExp(`^braces\\.c:${text.slice(0, second).split('\n').length}:2: warning: .*\\[recursive-lock\\]`, 'm'),
    );
    assert.match(r.stderr, SUMMARY);
  });

  test('only closing braces, or only opening ones: exit 0, no findings, a summary', (t) => {
    const d = tempDir(t);
    fs.writeFileSync(path.join(d, 'close.c'), '}\n}}\n) ; }\n');
    fs.writeFileSync(
      path.join(d, 'open.c'),
      'static int f(void)\n{\n\t{\n\t\t{\n\t\t\tif (x) {\n\t\t\t\tspin_lock(&l);\n',
    );
    const r = cli(['check', '.'], d);
    assertNoCrash(r);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const s = SUMMARY.exec(r.stderr);
    assert.ok(s);
    assert.equal(s[2], '2', 'both files were read');
  });

  test('a binary file named .c, given explicitly: a message naming it, exit 2', (t) => {
    const d = tempDir(t);
    const bin = Buffer.alloc(4096);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 131 + 7) % 256; // includes NULs
    fs.writeFileSync(path.join(d, 'blob.c'), bin);
    const r = cli(['check', 'blob.c'], d);
    assertNoCrash(r);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /blob\.c: binary file/);
    assert.equal(r.stdout, '');
  });

  test('a binary file inside a folder is skipped with a message; the rest is checked', (t) => {
    const d = tempDir(t);
    fs.writeFileSync(
      path.join(d, 'blob.c'),
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0]),
    );
    fs.writeFileSync(path.join(d, 'leaky.c'), LEAKY);
    const r = cli(['check', '.', '--format', 'json'], d);
    assertNoCrash(r);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /blob\.c: binary file/);
    const out = JSON.parse(r.stdout) as JsonOut;
    assert.deepEqual(
      out.findings.map((f) => [f.file, f.kind]),
      [['leaky.c', 'lock-imbalance']],
    );
    assert.equal(out.stats.files, 1);
    assert.deepEqual(
      out.stats.skipped.map((s) => s.file),
      ['blob.c'],
    );
  });

  test('a 5 MB generated file with thousands of functions: analysed, planted bugs found, exit 1', (t) => {
    const d = tempDir(t);
    const parts = [
      '// SPDX-License-Identifier: GPL-2.0\n/* generated by the robustness test */\n#include <linux/spinlock.h>\n\n',
    ];
    let size = parts[0].length;
    let n = 0;
    const planted: number[] = [];
    let line = parts[0].split('\n').length;
    while (size < 5 * 1024 * 1024) {
      const leak = n % 1000 === 999;
      const fn = `static int gen_update_${n}(struct gen_dev *dev, int v)
{
	int ret = 0;

	spin_lock(&dev->lock_${n % 7});
	if (v < 0) {
		${leak ? 'dev->errors++;' : 'ret = -EINVAL;'}
		${leak ? 'return -EINVAL;' : 'goto out;'}
	}
	dev->count += v;
out:
	spin_unlock(&dev->lock_${n % 7});
	return ret;
}

`;
      if (leak) planted.push(line + 7);
      line += fn.split('\n').length - 1;
      parts.push(fn);
      size += fn.length;
      n++;
    }
    fs.writeFileSync(path.join(d, 'huge.c'), parts.join(''));
    assert.ok(fs.statSync(path.join(d, 'huge.c')).size >= 5 * 1024 * 1024);
    const r = cli(['check', 'huge.c', '--format', 'json'], d, 300000);
    assertNoCrash(r);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as JsonOut;
    assert.equal(out.stats.files, 1);
    assert.equal(out.stats.functions, n);
    assert.equal(out.stats.functionsWithParseErrors, 0);
    assert.deepEqual(
      out.findings.map((f) => f.kind),
      planted.map(() => 'lock-imbalance'),
    );
    assert.deepEqual(
      out.findings.map((f) => f.line),
      planted,
    );
  });

  test('a file over lockscope.maxFileSizeKB inside a folder is skipped with a message naming the setting', (t) => {
    const d = tempDir(t);
    fs.writeFileSync(path.join(d, '.lockscope.json'), JSON.stringify({ maxFileSizeKB: 1 }));
    fs.writeFileSync(path.join(d, 'big.c'), `${LEAKY}\n`.repeat(20));
    fs.writeFileSync(path.join(d, 'small.c'), LEAKY);
    const r = cli(['check', '.', '--format', 'json'], d);
    assertNoCrash(r);
    assert.match(r.stderr, /big\.c: .*maxFileSizeKB/);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as JsonOut;
    assert.deepEqual([...new Set(out.findings.map((f) => f.file))], ['small.c']);
    assert.deepEqual(
      out.stats.skipped.map((s) => s.file),
      ['big.c'],
    );
  });

  for (const [name, args] of [
    ['unknown option', ['check', '--frobnicate', '.']],
    ['missing path', ['check']],
    ['unknown format', ['check', '.', '--format', 'xml']],
    ['option without its value', ['check', '.', '--format']],
    ['unknown command', ['chekc', '.']],
    ['no command', []],
    ['a path that does not exist', ['check', 'no/such/dir']],
  ] as const) {
    test(`bad usage (${name}): exit 2 and a usage line`, (t) => {
      const d = tempDir(t);
      const r = cli([...args], d);
      assertNoCrash(r);
      assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, /^lockscope: \S/m, 'a one-line reason');
      assert.match(r.stderr, USAGE_LINE);
      assert.equal(r.stdout, '');
    });
  }

  test('--help prints the usage on stdout and exits 0; --version prints the version', (t) => {
    const d = tempDir(t);
    const h = cli(['--help'], d);
    assert.equal(h.code, 0);
    assert.match(h.stdout, USAGE_LINE);
    const v = cli(['--version'], d);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^lockscope \d+\.\d+\.\d+\n$/);
  });
});

describe('CLI output formats', () => {
  const files = {
    'fs/widget/grow.c': LEAKY,
    'fs/widget/kick.c': `static void widget_kick(struct widget *w)
{
	spin_lock(&w->kick_lock);
	w->kicks++;
	spin_lock(&w->kick_lock);
	spin_unlock(&w->kick_lock);
}
`,
    'fs/widget/clean.c':
      'static void widget_idle(struct widget *w)\n{\n\tmutex_lock(&w->lock);\n\tw->idle = true;\n' +
      '\tmutex_unlock(&w->lock);\n}\n',
  };
  const setup = (t: { after: (fn: () => void) => void }) => {
    const d = tempDir(t);
    for (const [f, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
      fs.writeFileSync(path.join(d, f), text);
    }
    return d;
  };

  test('--format json has exactly the documented keys', (t) => {
    const d = setup(t);
    const r = cli(['check', '.', '--format', 'json'], d);
    assertNoCrash(r);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as JsonOut;
    assert.deepEqual(Object.keys(out).sort(), ['findings', 'stats', 'version']);
    assert.equal(out.version, 1);
    assert.equal(out.findings.length, 2);
    for (const f of out.findings) {
      assert.deepEqual(Object.keys(f).sort(), [
        'column',
        'confidence',
        'file',
        'function',
        'kind',
        'line',
        'lock',
        'message',
        'path',
        'severity',
      ]);
      assert.deepEqual(Object.keys(f.lock).sort(), ['class', 'instance']);
      assert.ok(['recursive-lock', 'lock-imbalance', 'double-unlock', 'unlock-not-held'].includes(f.kind), f.kind);
      assert.ok(['error', 'warning', 'information', 'hint'].includes(f.severity), f.severity);
      assert.equal(f.confidence, 'high');
      assert.ok(Number.isInteger(f.line) && f.line >= 1 && Number.isInteger(f.column) && f.column >= 1);
      assert.equal(typeof f.message, 'string');
      assert.equal(typeof f.lock.instance, 'string');
      assert.ok(f.lock.class === null || typeof f.lock.class === 'string');
      assert.ok(f.path.length >= 2, 'a path has at least the acquisition and the finding');
      for (const s of f.path) {
        assert.deepEqual(Object.keys(s).sort(), ['file', 'function', 'line', 'note']);
        assert.equal(s.file, f.file);
        assert.equal(s.function, f.function);
      }
      assert.equal(f.path[f.path.length - 1].line, f.line, 'the path ends at the finding');
    }
    const byFile = Object.fromEntries(out.findings.map((f) => [f.file, f]));
    assert.deepEqual(Object.keys(byFile).sort(), ['fs/widget/grow.c', 'fs/widget/kick.c']);
    assert.equal(byFile['fs/widget/grow.c'].kind, 'lock-imbalance');
    assert.equal(byFile['fs/widget/grow.c'].function, 'widget_grow');
    assert.equal(byFile['fs/widget/grow.c'].lock.instance, '&w->resize_lock');
    assert.equal(byFile['fs/widget/grow.c'].line, lineOf(LEAKY, 'return -ENOMEM;'));
    assert.equal(byFile['fs/widget/kick.c'].kind, 'recursive-lock');
    assert.equal(byFile['fs/widget/kick.c'].line, 5);
    assert.equal(byFile['fs/widget/kick.c'].column, 2);
    for (const k of ['files', 'functions', 'seconds'])
      assert.equal(typeof (out.stats as unknown as Record<string, unknown>)[k], 'number', k);
    assert.equal(out.stats.files, 3);
    assert.equal(out.stats.functions, 3);
  });

  test('--format sarif is SARIF 2.1.0 with one codeFlow per result following the path', (t) => {
    const d = setup(t);
    const json = JSON.parse(cli(['check', '.', '--format', 'json'], d).stdout) as JsonOut;
    const r = cli(['check', '.', '--format', 'sarif'], d);
    assertNoCrash(r);
    assert.equal(r.code, 1);
    const s = JSON.parse(r.stdout) as {
      version: string;
      $schema: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string }[] } };
        results: {
          ruleId: string;
          level: string;
          message: { text: string };
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } };
          }[];
          codeFlows: {
            threadFlows: {
              locations: {
                executionOrder?: number;
                location: {
                  physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
                  message?: { text: string };
                };
              }[];
            }[];
          }[];
        }[];
      }[];
    };
    assert.equal(s.version, '2.1.0');
    assert.match(s.$schema, /sarif-2\.1\.0/);
    assert.equal(s.runs.length, 1);
    const run = s.runs[0];
    assert.equal(run.tool.driver.name, 'lockscope');
    const ruleIds = run.tool.driver.rules.map((x) => x.id);
    assert.deepEqual([...ruleIds].sort(), [...FINDING_KINDS].sort());
    assert.equal(run.results.length, json.findings.length);
    run.results.forEach((res, i) => {
      const f = json.findings[i];
      assert.ok(ruleIds.includes(res.ruleId));
      assert.equal(res.ruleId, f.kind);
      assert.ok(['error', 'warning', 'note', 'none'].includes(res.level));
      assert.equal(res.message.text, f.message);
      assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, f.file);
      assert.equal(res.locations[0].physicalLocation.region.startLine, f.line);
      assert.equal(res.locations[0].physicalLocation.region.startColumn, f.column);
      assert.equal(res.codeFlows.length, 1, 'one codeFlow per result');
      assert.equal(res.codeFlows[0].threadFlows.length, 1);
      const steps = res.codeFlows[0].threadFlows[0].locations;
      assert.deepEqual(
        steps.map((x) => x.location.physicalLocation.region.startLine),
        f.path.map((p) => p.line),
      );
      assert.deepEqual(
        steps.map((x) => x.executionOrder),
        f.path.map((_, k) => k + 1),
      );
      steps.forEach((x, k) =>
        assert.match(x.location.message?.text ?? '', new RegExp(f.path[k].note.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))),
      );
    });
  });

  test('--exit-zero reports findings but exits 0', (t) => {
    const d = setup(t);
    const r = cli(['check', '.', '--exit-zero'], d);
    assertNoCrash(r);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\[lock-imbalance\]/);
  });

  test('--confidence: a default run shows high only and says how many are not shown; lower levels show them', (t) => {
    const d = tempDir(t);
    fs.mkdirSync(path.join(d, 'fs', 'quill'), { recursive: true });
    fs.writeFileSync(
      path.join(d, 'fs', 'quill', 'grab.c'),
      [
        'int quill_prepare(struct quill *q);',
        '',
        'int quill_grab(struct quill *q)',
        '{',
        '\tint n;',
        '',
        '\tmutex_lock(&q->lock);',
        '\tn = quill_prepare(q);',
        '\tif (q->ready)',
        '\t\treturn n;',
        '\tmutex_unlock(&q->lock);',
        '\treturn n;',
        '}',
        '',
      ].join('\n'),
    );
    const def = cli(['check', '.', '--no-cache'], d);
    assertNoCrash(def);
    assert.equal(def.code, 0, 'nothing shown: exit 0');
    assert.equal(def.stdout, '');
    assert.match(def.stderr, /1 finding of lower confidence not shown \(--confidence medium shows it\)/);
    const med = cli(['check', '.', '--no-cache', '--confidence', 'medium'], d);
    assert.equal(med.code, 1);
    assert.match(med.stdout, /grab\.c:10:3: warning: .*\[lock-imbalance, medium confidence\]/);
    assert.match(med.stdout, /medium confidence: the exit that keeps it is not known to return an error/);
    const json = JSON.parse(
      cli(['check', '.', '--no-cache', '--confidence=low', '--format', 'json'], d).stdout,
    ) as JsonOut;
    assert.equal(json.findings.length, 1);
    assert.equal(json.findings[0].confidence, 'medium');
    assert.ok(json.findings[0].doubts?.length);
    const sarif = JSON.parse(cli(['check', '.', '--no-cache', '--confidence', 'low', '--format', 'sarif'], d).stdout);
    const res = sarif.runs[0].results[0];
    assert.equal(res.properties.confidence, 'medium');
    assert.equal(res.rank, 50);
    const bad = cli(['check', '.', '--confidence', 'certain'], d);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown confidence "certain"/);
  });
});
