/** Shared test helpers: one grammar load per test file, and inline expectations in C fixtures. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Analyzer,
  CONFIDENCE_LEVELS,
  FINDING_KINDS,
  type FileResult,
  type Grammar,
  type Settings,
  defaultSettings,
  loadGrammar,
  mergeSettings,
  readWorkspaceFile,
} from '../../server/src/engine';

let grammar: Promise<Grammar> | undefined;

export function getGrammar(): Promise<Grammar> {
  grammar ??= loadGrammar();
  return grammar;
}

/** The repository root (tests are bundled into test/out/**, so walk up to package.json). */
export function repoRoot(): string {
  for (let d = __dirname; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'server'))) return d;
    if (path.dirname(d) === d) throw new Error('repository root not found');
  }
}

export async function analyzer(settings: Partial<Settings> = {}): Promise<Analyzer> {
  return new Analyzer(await getGrammar(), { settings: mergeSettings(defaultSettings(), settings) });
}

/** Analyse a C snippet with default settings. */
export async function analyse(text: string, file = 'snippet.c', settings: Partial<Settings> = {}): Promise<FileResult> {
  return (await analyzer(settings)).analyzeText(text, file);
}

/** Settings for a fixture: the nearest .lockscope.json in its folder, if any. */
export function fixtureSettings(file: string): Partial<Settings> {
  return readWorkspaceFile(path.dirname(file)).settings ?? {};
}

export interface Expectation {
  line: number;
  kind: string;
  /** `kind@medium` / `kind@low`; a marker without `@` expects high confidence. */
  confidence?: string;
}

/**
 * Inline expectations, clang -verify style: `/* expect: recursive-lock *\/` (or several, comma
 * separated) on the line where the finding is reported. A file with none expects no findings.
 * A marker that names no kind, or a kind the engine does not have (a typo such as `recursive-lcok`),
 * throws with the file, the line and the bad kind: it must never pass as "not reported".
 */
export function expectationsOf(text: string, file: string): Expectation[] {
  const kinds: readonly string[] = FINDING_KINDS;
  const out: Expectation[] = [];
  text.split('\n').forEach((line, i) => {
    const re = /(?:\/\*|\/\/)\s*expect:(.*?)(?:\*\/|$)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line))) {
      const named = m[1].split(',').map((s) => s.trim());
      if (named.every((k) => !k)) throw new Error(`${file}:${i + 1}: expect marker names no finding kind`);
      for (const named1 of named) {
        const [k, conf] = named1.split('@').map((s) => s.trim());
        if (conf !== undefined && !(CONFIDENCE_LEVELS as readonly string[]).includes(conf))
          throw new Error(`${file}:${i + 1}: unknown confidence "${conf}" in expect marker (high, medium or low)`);
        if (!kinds.includes(k))
          throw new Error(
            `${file}:${i + 1}: unknown finding kind "${k}" in expect marker (known: ${kinds.join(', ')})`,
          );
        out.push(
          conf === undefined || conf === 'high' ? { line: i + 1, kind: k } : { line: i + 1, kind: k, confidence: conf },
        );
      }
    }
  });
  return out;
}

export function key(e: Expectation): string {
  return `${e.line}:${e.kind}${e.confidence && e.confidence !== 'high' ? `@${e.confidence}` : ''}`;
}

/** Compare findings with expectations; returns human-readable differences (empty when they agree). */
export function diffExpectations(
  file: string,
  expected: Expectation[],
  found: { line: number; kind: string; message?: string; confidence?: string }[],
): string[] {
  const want = new Map<string, number>();
  for (const e of expected) want.set(key(e), (want.get(key(e)) ?? 0) + 1);
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const f of found) {
    const k = key(f);
    seen.set(k, (seen.get(k) ?? 0) + 1);
    if ((seen.get(k) ?? 0) > (want.get(k) ?? 0))
      problems.push(`${file}:${f.line}: unexpected ${f.kind}: ${f.message ?? ''}`);
  }
  for (const [k, n] of want) {
    if ((seen.get(k) ?? 0) < n) {
      const [line, kind] = k.split(/:(.*)/s);
      problems.push(`${file}:${line}: expected ${kind}, not reported`);
    }
  }
  return problems;
}

export function walkFiles(dir: string, ext = /\.(c|h)$/): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walkFiles(p, ext));
    else if (ext.test(e.name)) out.push(p);
  }
  return out.sort();
}
