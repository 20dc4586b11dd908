/**
 * Output formats of `lockscope check`: compiler-style text, the documented JSON, SARIF 2.1.0. Messages
 * are rendered from each finding's template and line references (renderMessage); SARIF's rules come
 * from the table of finding kinds.
 */
import {
  type Confidence,
  FINDING_KINDS,
  type Finding,
  type Incomplete,
  docsRef,
  incompleteText,
  kindInfo,
  renderMessage,
} from '../engine/model';
import { fingerprint } from '../engine/checks';

export { incompleteText };

export interface RunStats {
  files: number;
  functions: number;
  seconds: number;
  functionsWithParseErrors: number;
  lockSites: { found: number; modelled: number };
  unmodelled: Record<string, number>;
  skipped: { file: string; reason: string }[];
  /** Functions a budget stopped (not analysed, so no finding can come from them), with the budget. */
  incomplete?: Incomplete[];
  /**
   * Whole-tree mode: the tree root, how many files were indexed, and how many indirect calls (through a
   * function pointer or an ops table) had too many or no candidate targets to be followed (docs/findings.md,
   * "How calls are followed"): a measure of reach, not of findings.
   */
  indexed?: { root: string; files: number; indirectUnresolved: number };
  /** The findings shown, per kind (most first). */
  kinds?: Record<string, number>;
  /** Findings left out because a baseline file lists them. */
  baselined?: number;
  /** The least confidence shown (`--confidence`), and the findings per level shown and not shown. */
  confidence?: {
    least: Confidence;
    shown: Partial<Record<Confidence, number>>;
    notShown: Partial<Record<Confidence, number>>;
  };
}

export const VERSION = '0.1.0';

export function formatText(findings: Finding[], color: boolean): string {
  const c = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  for (const f of findings) {
    const sev =
      f.severity === 'error' ? c('1;31', 'error') : f.severity === 'warning' ? c('1;35', 'warning') : c('1;36', 'note');
    const conf = f.confidence && f.confidence !== 'high' ? `, ${f.confidence} confidence` : '';
    lines.push(`${c('1', `${f.file}:${f.line}:${f.column}:`)} ${sev}: ${renderMessage(f)} [${f.kind}${conf}]`);
    // each step as a compiler note, so :cfile, compilation-mode and problem matchers open it
    for (const s of f.path)
      lines.push(`${s.file}:${s.line}:${s.column}: ${c('1;36', 'note')}: in ${s.function}: ${s.note}`);
    for (const d of f.doubts ?? []) lines.push(`    ${f.confidence} confidence: ${d}`);
    if (f.scenario) lines.push('', ...f.scenario.map((l) => `   ${l}`.replace(/\s+$/, '')), '');
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

export function formatJson(findings: Finding[], stats: RunStats): string {
  return (
    JSON.stringify(
      {
        version: 1,
        findings: findings.map((f) => ({
          kind: f.kind,
          message: renderMessage(f),
          severity: f.severity,
          file: f.file,
          line: f.line,
          column: f.column,
          function: f.function,
          lock: { class: f.lock.class, instance: f.lock.instance },
          confidence: f.confidence ?? 'high',
          ...(f.doubts?.length ? { doubts: f.doubts } : {}),
          path: f.path.map((s) => ({
            file: s.file,
            line: s.line,
            function: s.function,
            note: s.note,
            ...(s.onError ? { onError: true } : {}),
          })),
          ...(f.scenario ? { scenario: f.scenario } : {}),
        })),
        stats,
      },
      null,
      2,
    ) + '\n'
  );
}

const SARIF_LEVEL: Record<Finding['severity'], string> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

/** SARIF's `rank` (0–100, how likely a result is worth a look) from the confidence. */
const SARIF_RANK: Record<Confidence, number> = { high: 90, medium: 50, low: 20 };

/** SARIF's rules: one per finding kind, from the table (docs references are relative to the repository). */
export function sarifRules(): object[] {
  return FINDING_KINDS.map((id) => {
    const k = kindInfo(id);
    return {
      id,
      name: id,
      shortDescription: { text: k.summary },
      fullDescription: { text: k.help },
      help: { text: `${k.help} See ${docsRef(id)}.`, markdown: `${k.help} See [${id}](${docsRef(id)}).` },
      helpUri: docsRef(id),
      defaultConfiguration: { enabled: !k.off, level: SARIF_LEVEL[k.severity] },
    };
  });
}

/** SARIF's invocation: files not analysed and functions a budget stopped, as tool notifications. */
function invocation(stats: RunStats, uriOf: (file: string) => string): object {
  const at = (file: string, line?: number) => ({
    physicalLocation: {
      artifactLocation: { uri: encodeURI(uriOf(file)), uriBaseId: '%SRCROOT%' },
      ...(line ? { region: { startLine: line } } : {}),
    },
  });
  return {
    executionSuccessful: true,
    toolExecutionNotifications: [
      ...stats.skipped.map((s) => ({
        level: 'warning',
        message: { text: `not analysed: ${s.reason}` },
        locations: [at(s.file)],
      })),
      ...(stats.incomplete ?? []).map((i) => ({
        level: 'warning',
        message: { text: incompleteText(i) },
        locations: [at(i.file ?? '', i.line)],
      })),
    ],
  };
}

/**
 * SARIF 2.1.0. `uriOf` maps a printed file name to its path under %SRCROOT% (the kernel tree's root, or the
 * current directory outside a tree), so code scanning places results from a run in any subdirectory.
 */
export function formatSarif(findings: Finding[], stats: RunStats, uriOf: (file: string) => string = (f) => f): string {
  const loc = (file: string, line: number, column: number, endLine?: number, endColumn?: number) => ({
    physicalLocation: {
      artifactLocation: { uri: encodeURI(uriOf(file)), uriBaseId: '%SRCROOT%' },
      region: { startLine: line, startColumn: column, ...(endLine ? { endLine, endColumn } : {}) },
    },
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'lockscope',
            version: VERSION,
            semanticVersion: VERSION,
            rules: sarifRules(),
          },
        },
        originalUriBaseIds: {
          '%SRCROOT%': {
            description: {
              text:
                'The kernel tree lockscope checked (the folder with include/linux/), ' +
                'or the current directory outside a tree',
            },
          },
        },
        results: findings.map((f) => ({
          ruleId: f.kind,
          level: SARIF_LEVEL[f.severity],
          partialFingerprints: { 'lockscope/v1': fingerprint(f) },
          rank: SARIF_RANK[f.confidence ?? 'high'],
          properties: { confidence: f.confidence ?? 'high', ...(f.doubts?.length ? { doubts: f.doubts } : {}) },
          message: { text: renderMessage(f) },
          locations: [
            {
              ...loc(f.file, f.line, f.column, f.endLine, f.endColumn),
              logicalLocations: [{ name: f.function, kind: 'function' }],
            },
          ],
          codeFlows: [
            {
              threadFlows: [
                {
                  locations: f.path.map((s, i) => ({
                    executionOrder: i + 1,
                    location: { ...loc(s.file, s.line, s.column), message: { text: `${s.function}: ${s.note}` } },
                  })),
                },
              ],
            },
          ],
        })),
        invocations: [invocation(stats, uriOf)],
        properties: { stats },
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
