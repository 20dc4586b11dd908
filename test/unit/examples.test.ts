/**
 * The sample tree under examples/: the real CLI (`lockscope check examples --format json`) must
 * report exactly the planted bugs marked `/* expect: KIND *\/` in its sources, cover every finding
 * kind, exit with 1, count every .c/.h file, and give each witness-path step a location and note.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { FINDING_KINDS } from '../../server/src/engine/model';
import { type Expectation, diffExpectations, expectationsOf, repoRoot, walkFiles } from '../support/engine';

interface JsonStep {
  file: unknown;
  line: unknown;
  function: unknown;
  note: unknown;
}
interface JsonFinding {
  kind: string;
  message: string;
  file: string;
  line: number;
  function: string;
  path: JsonStep[];
}
interface JsonReport {
  version: number;
  findings: JsonFinding[];
  stats: { files: number; skipped: { file: string; reason: string }[] };
}

const root = repoRoot();
const dir = path.join(root, 'examples');
const sources = walkFiles(dir);
const rel = (abs: string): string => path.relative(dir, abs).split(path.sep).join('/');

/** Expectations of every source in the tree, keyed by its POSIX path relative to examples/. */
const expected = new Map<string, Expectation[]>(
  sources.map((f) => [rel(f), expectationsOf(fs.readFileSync(f, 'utf8'), path.relative(root, f))]),
);

describe('examples/ through the CLI', () => {
  let status: number | null = null;
  let stderr = '';
  let report: JsonReport;

  before(() => {
    // run inside examples/: file names print relative to where lockscope runs
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'lockscope.js'), 'check', '.', '--format', 'json'], {
      cwd: path.join(root, 'examples'),
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(r.error, undefined, `could not run the CLI: ${r.error?.message}`);
    status = r.status;
    stderr = r.stderr;
    report = JSON.parse(r.stdout) as JsonReport;
  });

  test('the tree has sources and planted bugs', () => {
    assert.ok(
      sources.some((f) => f.endsWith('.c')),
      `no .c files under ${dir}`,
    );
    assert.ok(
      [...expected.values()].some((e) => e.length > 0),
      'no /* expect: */ markers under examples/',
    );
  });

  test('exits with 1 (findings) and skips nothing', () => {
    assert.equal(status, 1, `exit code ${status}; stderr:\n${stderr}`);
    assert.deepEqual(report.stats.skipped, []);
    assert.equal(report.version, 1);
  });

  test('stats.files counts every .c and .h file', () => {
    assert.equal(report.stats.files, sources.length);
  });

  test('findings are exactly the inline expectations', () => {
    const found = new Map<string, JsonFinding[]>();
    for (const f of report.findings) {
      assert.ok(
        !f.file.includes('\\') && !path.isAbsolute(f.file),
        `finding file ${f.file} is not a relative POSIX path`,
      );
      assert.ok(expected.has(f.file), `finding in ${f.file}, which is not a source under examples/`);
      found.set(f.file, [...(found.get(f.file) ?? []), f]);
    }
    const problems: string[] = [];
    for (const [file, want] of expected) problems.push(...diffExpectations(file, want, found.get(file) ?? []));
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  test('every finding kind is planted and reported at least once', () => {
    const planted = new Set([...expected.values()].flat().map((e) => e.kind));
    const reported = new Set(report.findings.map((f) => f.kind));
    for (const kind of FINDING_KINDS) {
      assert.ok(planted.has(kind), `no /* expect: ${kind} */ under examples/`);
      assert.ok(reported.has(kind), `the CLI reported no ${kind} in examples/`);
    }
    for (const kind of planted)
      assert.ok((FINDING_KINDS as readonly string[]).includes(kind), `unknown kind ${kind} in an expectation`);
  });

  test('every path step has file, line, function and note', () => {
    assert.ok(report.findings.length > 0);
    for (const f of report.findings) {
      const where = `${f.file}:${f.line} ${f.kind}`;
      assert.ok(f.path.length > 0, `${where}: empty path`);
      for (const s of f.path) {
        assert.ok(typeof s.file === 'string' && expected.has(s.file), `${where}: step file ${String(s.file)}`);
        assert.ok(Number.isInteger(s.line) && (s.line as number) > 0, `${where}: step line ${String(s.line)}`);
        assert.ok(typeof s.function === 'string' && s.function.length > 0, `${where}: step without function`);
        assert.ok(typeof s.note === 'string' && s.note.length > 0, `${where}: step without note`);
      }
    }
  });
});
