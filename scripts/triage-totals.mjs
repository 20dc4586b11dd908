#!/usr/bin/env node
// The totals at the top of test/corpus/triage-6.1.md, from the record and a run: findings per kind and
// verdict (with how many a default run shows), and rows per cause (fixed, still reported at each level).
// Rewrites the block between the `<!-- totals -->` markers.
//
//   node scripts/corpus-test.mjs --json RUN.json && node scripts/triage-totals.mjs --from RUN.json
//
// Both records: the default one (test/corpus/triage-6.1.md) and the lock-order one (order-triage-6.1.md,
// the run's high-confidence inversions).
import * as fs from 'node:fs';
import { ORDER_RECORD, RECORD, judge, splitRun, verdictLine } from './corpus-test.mjs';

const i = process.argv.indexOf('--from');
if (i < 0 || !process.argv[i + 1]) {
  console.error('usage: node scripts/triage-totals.mjs --from RUN.json');
  process.exit(2);
}
const run = splitRun(JSON.parse(fs.readFileSync(process.argv[i + 1], 'utf8')).findings);
const VERDICTS = ['real', 'intended', 'false', 'unsure'];
totals(RECORD, run.main, false);
totals(ORDER_RECORD, run.order, true);

function totals(record, findings, order) {
  const text = fs.readFileSync(record, 'utf8');
  const { counts, judged, rows } = judge(findings, text);

  const byKind = new Map();
  for (const j of judged) {
    const k = byKind.get(j.finding.kind) ?? { all: {}, high: {} };
    k.all[j.verdict] = (k.all[j.verdict] ?? 0) + 1;
    if ((j.finding.confidence ?? 'high') === 'high') k.high[j.verdict] = (k.high[j.verdict] ?? 0) + 1;
    byKind.set(j.finding.kind, k);
  }
  const kindRows = [...byKind]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, k]) => `| ${kind} | ${VERDICTS.map((v) => `${k.high[v] ?? 0} / ${k.all[v] ?? 0}`).join(' | ')} |`);

  const causes = new Map();
  for (const r of rows) {
    if (r.verdict !== 'false' && r.verdict !== 'intended') continue;
    const c = causes.get(r.cause) ?? { rows: 0, fixed: 0, high: 0, lower: 0 };
    c.rows++;
    if (r.status === 'fixed') c.fixed++;
    causes.set(r.cause, c);
  }
  for (const j of judged) {
    const c = causes.get(j.cause);
    if (!c) continue;
    if ((j.finding.confidence ?? 'high') === 'high') c.high++;
    else c.lower++;
  }
  const causeRows = [...causes]
    .sort(([, a], [, b]) => b.rows - a.rows)
    .map(([cause, c]) => `| ${cause} | ${c.rows} | ${c.fixed} | ${c.high} | ${c.lower} |`);

  const block = `<!-- totals: written by scripts/triage-totals.mjs from a run; do not edit by hand -->
Rows: ${rows.length}, of which ${rows.filter((r) => r.status === 'fixed').length} \`fixed\` (no longer reported).

${
  order
    ? `- **Lock order switched on, high confidence (what a default run would show): ${verdictLine(counts.high)}**`
    : `- **Default run (high confidence): ${verdictLine(counts.high)}**
- Every confidence level (\`--confidence low\`): ${verdictLine(counts.all)}`
}

| kind | real | intended | false | unsure |
| --- | --- | --- | --- | --- |
${kindRows.join('\n')}

(each cell: shown by a default run / reported at any level)

| cause (intended and false) | rows | fixed | reported, high | reported, medium or low |
| --- | --- | --- | --- | --- |
${causeRows.join('\n')}
<!-- /totals -->`;

  const start = text.indexOf('<!-- totals');
  const end = text.indexOf('<!-- /totals -->');
  if (start < 0 || end < 0) {
    console.error(`${record} has no <!-- totals --> ... <!-- /totals --> block`);
    process.exit(2);
  }
  fs.writeFileSync(record, text.slice(0, start) + block + text.slice(end + '<!-- /totals -->'.length));
  console.log(block);
}
