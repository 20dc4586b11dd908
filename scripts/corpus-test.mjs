#!/usr/bin/env node
// The corpus test: `lockscope check fs` (default settings) on Debian's Linux 6.1, held against the triage
// record test/corpus/triage-6.1.md. Fails when a finding judged real is no longer reported, when a row
// marked `fixed` is reported again, or when a finding has no row (judge it and add it). Prints the share of
// real findings. Not part of the quick `npm test` (it needs the kernel tree and ~2 minutes); `.ci/run` runs it.
//
//   node scripts/corpus-test.mjs [--kernel DIR] [--cache DIR] [--json OUT] [--from JSON]
//
// --json OUT keeps the run's JSON; --from JSON judges a saved run instead of running the check.
//
// Rows are keyed by file, function, kind and lock instance (not the line, which an engine change may move
// within the function); a key that occurs several times is matched by count.
//
// Lock order is off by default, so the run switches it on (test/corpus/order-on.json) and holds its
// inversions apart: the high-confidence ones (what a default run would show were it on) against their own
// record, test/corpus/order-triage-6.1.md, the rest of the run against the default record.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultKernelCache, kernelTree } from './kernel.mjs';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const RECORD = path.join(repo, 'test', 'corpus', 'triage-6.1.md');
export const ORDER_RECORD = path.join(repo, 'test', 'corpus', 'order-triage-6.1.md');
const ORDER_ON = path.join(repo, 'test', 'corpus', 'order-on.json');
const INVERSION = 'lock-order-inversion';

/** A run's findings split: those the default record judges, and the inversions the order record judges. */
export function splitRun(findings) {
  return {
    main: findings.filter((f) => f.kind !== INVERSION),
    order: findings.filter((f) => f.kind === INVERSION && (f.confidence ?? 'high') === 'high'),
  };
}

function args(argv) {
  const a = { kernel: undefined, cache: defaultKernelCache(), json: undefined, from: undefined };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    if (argv[i] === '--kernel') a.kernel = v();
    else if (argv[i] === '--cache') a.cache = v();
    else if (argv[i] === '--json') a.json = v();
    else if (argv[i] === '--from') a.from = v();
    else {
      console.error('usage: node scripts/corpus-test.mjs [--kernel DIR] [--cache DIR] [--json OUT]');
      process.exit(2);
    }
  }
  return a;
}

/** The record's rows: { key, where, verdict, status }. */
export function readRecord(text) {
  const rows = [];
  for (const line of text.split('\n')) {
    if (!/^\| [^|]+:\d+ \|/.test(line)) continue;
    const c = line
      .slice(1, -1)
      .split('|')
      .map((x) => x.trim());
    const [where, fn, kind, lock, verdict, cause, status] = c;
    const file = where.replace(/:\d+$/, '');
    const key = [file, fn, kind, lock.replace(/^`|`$/g, '')].join(' · ');
    rows.push({ key, where, kind, verdict, cause, status });
  }
  return rows;
}

const keyOf = (f) => [f.file, f.function, f.kind, f.lock?.instance ?? ''].join(' · ');

/**
 * A run's findings (every confidence level) held against the record: the verdicts counted for the default
 * run (high confidence) and for every level, and the problems the corpus test fails on.
 */
export function judge(findings, recordText) {
  // every level is judged; a real finding must also be shown by a default run (high confidence)
  const high = new Map();
  for (const f of findings) if ((f.confidence ?? 'high') === 'high') high.set(keyOf(f), (high.get(keyOf(f)) ?? 0) + 1);
  const rows = readRecord(recordText);
  const reported = new Map();
  for (const f of findings) reported.set(keyOf(f), (reported.get(keyOf(f)) ?? 0) + 1);
  const problems = [];
  const gone = [];
  const byKey = new Map();
  for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row]);
  for (const [key, list] of byKey) {
    const n = reported.get(key) ?? 0;
    const real = list.filter((x) => x.verdict === 'real').length;
    const expected = list.filter((x) => x.status !== 'fixed').length;
    if (n < real) problems.push(`real finding no longer reported: ${key} (${list.map((x) => x.where).join(', ')})`);
    else if ((high.get(key) ?? 0) < real)
      problems.push(`real finding below high confidence (a default run hides it): ${key}`);
    if (list.some((x) => x.status === 'fixed') && n > expected)
      problems.push(`a finding marked fixed is reported again: ${key}`);
    if (n < expected) gone.push(`${key} (${list.map((x) => x.where).join(', ')})`);
  }
  for (const [key, n] of reported) {
    const known = byKey.get(key)?.length ?? 0;
    if (n > known) {
      const f = findings.find((x) => keyOf(x) === key);
      problems.push(
        'not in the triage record (judge it and add a row): ' +
          `${f.file}:${f.line} ${f.function} ${f.kind} ${f.lock?.instance ?? ''}`,
      );
    }
  }
  // a key with several rows (one function, two findings of a kind on one lock): rows by line order
  const next = new Map();
  const verdict = (f) => {
    const list = [...(byKey.get(keyOf(f)) ?? [])]
      .filter((x) => x.status !== 'fixed')
      .sort((x, y) => Number(x.where.split(':').pop()) - Number(y.where.split(':').pop()));
    const i = next.get(keyOf(f)) ?? 0;
    next.set(keyOf(f), i + 1);
    return list[i] ?? { verdict: 'unjudged', cause: '' };
  };
  const counts = { high: {}, all: {} };
  const judged = [];
  for (const f of [...findings].sort((x, y) => x.line - y.line)) {
    const row = verdict(f);
    const v = row.verdict;
    judged.push({ finding: f, verdict: v, cause: row.cause });
    counts.all[v] = (counts.all[v] ?? 0) + 1;
    if ((f.confidence ?? 'high') === 'high') counts.high[v] = (counts.high[v] ?? 0) + 1;
  }
  return { counts, problems, judged, rows, gone };
}

/** One line of verdict counts: "N findings: 12 real, 3 false (80 % real)". */
export function verdictLine(c) {
  const n = Object.values(c).reduce((x, y) => x + y, 0);
  const share = n ? (100 * (c.real ?? 0)) / n : 100;
  const parts = Object.entries(c).map(([k, v]) => `${v} ${k}`);
  return `${n} findings: ${parts.join(', ')} (${share.toFixed(0)} % real)`;
}

function main() {
  const a = args(process.argv.slice(2));
  let out;
  if (a.from) out = fs.readFileSync(a.from, 'utf8');
  else {
    const kernel = kernelTree({ kernel: a.kernel, cache: a.cache, log: (m) => console.error(`corpus: ${m}`) });
    const cli = path.join(repo, 'bin', 'lockscope.js');
    // run in fs/: paths print relative to where lockscope runs, and the record's rows are relative to fs/
    const argv = [cli, 'check', '.', '--format', 'json', '--exit-zero', '--no-cache', '--confidence', 'low'];
    argv.push('--config', ORDER_ON);
    const r = spawnSync(process.execPath, argv, {
      cwd: path.join(kernel, 'fs'),
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(2);
    }
    out = r.stdout;
  }
  if (a.json) fs.writeFileSync(a.json, out);
  const run = splitRun(JSON.parse(out).findings);
  const { counts, problems, gone } = judge(run.main, fs.readFileSync(RECORD, 'utf8'));
  console.log(`corpus: Linux 6.1 fs/, default run (high confidence): ${verdictLine(counts.high)}`);
  console.log(`corpus: Linux 6.1 fs/, every confidence level: ${verdictLine(counts.all)}`);
  const order = judge(run.order, fs.readFileSync(ORDER_RECORD, 'utf8'));
  console.log(`corpus: lock order switched on, high confidence: ${verdictLine(order.counts.high)}`);
  for (const g of [...gone, ...order.gone]) console.log(`corpus: no longer reported (mark the row fixed): ${g}`);
  for (const p of [...problems, ...order.problems]) console.log(`corpus: ${p}`);
  process.exit(problems.length + order.problems.length ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
