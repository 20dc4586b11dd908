/** Output formats of `lockscope check`: compiler-style text, the documented JSON, SARIF 2.1.0. */
import type { Finding } from '../engine/model';
import { fingerprint } from '../engine/checks';

export interface RunStats {
  files: number;
  functions: number;
  seconds: number;
  functionsWithParseErrors: number;
  lockSites: { found: number; modelled: number };
  unmodelled: Record<string, number>;
  skipped: { file: string; reason: string }[];
  /** Whole-tree mode: the tree root, how many files were indexed, indirect calls left unresolved. */
  indexed?: { root: string; files: number; indirectUnresolved: number };
  /** Findings left out because a baseline file lists them. */
  baselined?: number;
}

export const VERSION = '0.1.0';

export const RULES: Record<Finding['kind'], string> = {
  'recursive-lock': 'A lock already held is taken again on the same path (self-deadlock).',
  'lock-imbalance': 'The exits of a function disagree on whether a lock is held, and no trylock-style return value or annotation explains it.',
  'double-unlock': 'A lock is released twice on the same path.',
  'unlock-not-held': 'A lock is released on a path that never took it, while other paths to the same release did.',
  'sleep-in-atomic': 'Something that may sleep (a mutex, rwsem or page lock, a GFP_KERNEL allocation, schedule(), copy_*_user ...) is reached while a spinlock, rwlock, RCU read side or preempt/irq-disabled section is held.',
  'missing-required-lock': 'A function that asserts or declares it needs a lock (lockdep_assert_held, __must_hold) is called without it: released earlier on the path, or not taken on this path while others take it.',
  'forbidden-call': 'A call that a rule forbids while a lock is held (built in: generic_write_sync/vfs_fsync under the inode lock of the same file), through any depth of calls.',
  'lock-order-inversion': 'Two lock classes are taken in opposite orders on two paths (ABBA): each path can hold one and wait for the other.',
};

export function formatText(findings: Finding[], color: boolean): string {
  const c = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  for (const f of findings) {
    const sev = f.severity === 'error' ? c('1;31', 'error') : f.severity === 'warning' ? c('1;35', 'warning') : c('1;36', 'note');
    lines.push(`${c('1', `${f.file}:${f.line}:${f.column}:`)} ${sev}: ${f.message} [${f.kind}]`);
    for (const s of f.path) lines.push(`    ${s.file}:${s.line}:${s.column}: in ${s.function}: ${s.note}`);
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

export function formatJson(findings: Finding[], stats: RunStats): string {
  return JSON.stringify({
    version: 1,
    findings: findings.map((f) => ({
      kind: f.kind, message: f.message, severity: f.severity, file: f.file, line: f.line, column: f.column,
      function: f.function, lock: { class: f.lock.class, instance: f.lock.instance },
      path: f.path.map((s) => ({ file: s.file, line: s.line, function: s.function, note: s.note })),
    })),
    stats,
  }, null, 2) + '\n';
}

const SARIF_LEVEL: Record<Finding['severity'], string> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

export function formatSarif(findings: Finding[], stats: RunStats): string {
  const loc = (file: string, line: number, column: number, endLine?: number, endColumn?: number) => ({
    physicalLocation: {
      artifactLocation: { uri: encodeURI(file), uriBaseId: '%SRCROOT%' },
      region: { startLine: line, startColumn: column, ...(endLine ? { endLine, endColumn } : {}) },
    },
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'lockscope', version: VERSION, semanticVersion: VERSION,
          rules: Object.entries(RULES).map(([id, text]) => ({ id, name: id, shortDescription: { text }, fullDescription: { text } })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The directory given to lockscope check' } } },
      results: findings.map((f) => ({
        ruleId: f.kind,
        level: SARIF_LEVEL[f.severity],
        partialFingerprints: { 'lockscope/v1': fingerprint(f) },
        message: { text: f.message },
        locations: [{ ...loc(f.file, f.line, f.column, f.endLine, f.endColumn), logicalLocations: [{ name: f.function, kind: 'function' }] }],
        codeFlows: [{
          threadFlows: [{
            locations: f.path.map((s, i) => ({ executionOrder: i + 1, location: { ...loc(s.file, s.line, s.column), message: { text: `${s.function}: ${s.note}` } } })),
          }],
        }],
      })),
      properties: { stats },
    }],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
