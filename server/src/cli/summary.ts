/**
 * The summary `check` ends with on stderr: what was checked, the findings per kind and per confidence, and —
 * when there are any — what the functions with parse errors mean for the results, in words, with the docs
 * section that says more. (The count of indirect calls left unresolved is in the JSON and SARIF stats only,
 * explained in docs/findings.md; it says how far calls were followed, not what was found.)
 */
import { CONFIDENCE_LEVELS, type Finding } from '../engine/model';
import type { RunStats } from './format';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Where the docs explain parse errors (relative to the package: README.md links it too). */
export const PARSE_ERRORS_DOC = 'docs/findings.md#parse-errors';

/** Findings per kind, most first, then by name. */
export function countKinds(findings: readonly Finding[]): Record<string, number> {
  const m = new Map<string, number>();
  for (const f of findings) m.set(f.kind, (m.get(f.kind) ?? 0) + 1);
  return Object.fromEntries([...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

/** The summary lines (without the `lockscope: ` prefix). */
export function summaryLines(findings: readonly Finding[], stats: RunStats): string[] {
  const lines = [
    `${plural(findings.length, 'finding')} in ${stats.files} files, ${stats.functions} functions ` +
      `(${stats.functionsWithParseErrors} with parse errors), ` +
      `lock sites modelled ${stats.lockSites.modelled}/${stats.lockSites.found}, ${stats.seconds.toFixed(2)} s`,
  ];
  if (findings.length) {
    const kinds = Object.entries(countKinds(findings)).map(([k, n]) => `${n} ${k}`);
    const shown = stats.confidence?.shown ?? {};
    const levels = CONFIDENCE_LEVELS.filter((c) => shown[c]).map((c) => `${shown[c]} ${c}`);
    lines.push(`by kind: ${kinds.join(', ')}; by confidence: ${levels.join(', ') || `${findings.length} high`}`);
  }
  const broken = stats.functionsWithParseErrors;
  if (broken) {
    const silenced = stats.unmodelled['parse-error'] ?? 0;
    lines.push(
      `${plural(broken, 'function has', 'functions have')} parse errors: tree-sitter could not read part of ` +
        'the body (mostly a macro it cannot expand). They are still checked' +
        (silenced
          ? `, but ${plural(silenced, 'error')} that could change what a lock call means left ` +
            'their functions without findings (a finding may be missed there, none is made up)'
          : '; no error changes what a lock call means') +
        `; see ${PARSE_ERRORS_DOC}`,
    );
  }
  return lines;
}
