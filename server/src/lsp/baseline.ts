/**
 * The baseline in the editor: findings listed in `.lockscope-baseline.json` at a workspace root are not
 * shown, and a code action adds a finding to that file (as an edit the user applies and saves; the
 * server never writes files). Each diagnostic carries its baseline entry in `data` for that action.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CodeAction, CodeActionKind, type Diagnostic, type WorkspaceEdit } from 'vscode-languageserver/node';
import { BASELINE_FILE, Baseline, type BaselineEntry } from '../engine/checks';

/** The baselines of the workspace roots that have one; a broken file is a problem message, not an empty baseline. */
export function loadBaselines(roots: string[], problem: (m: string) => void): Baseline[] {
  const out: Baseline[] = [];
  for (const root of roots) {
    const file = path.join(root, BASELINE_FILE);
    if (!fs.existsSync(file)) continue;
    try {
      out.push(Baseline.parse(fs.readFileSync(file, 'utf8'), file));
    } catch (e) {
      problem(`${(e as Error).message}; no finding is left out`);
    }
  }
  return out;
}

function isEntry(x: unknown): x is BaselineEntry {
  const e = x as BaselineEntry;
  return !!e && typeof e.fingerprint === 'string' && typeof e.file === 'string';
}

/** "Add to the baseline" for each lockscope diagnostic with an entry, editing (or creating) `root`'s baseline file. */
export function baselineActions(
  root: string | undefined,
  diagnostics: Diagnostic[],
  documentChanges: boolean,
): CodeAction[] {
  if (!root) return [];
  const file = path.join(root, BASELINE_FILE);
  const uri = pathToFileURL(file).toString();
  const ours = diagnostics.filter(
    (d) => d.source === 'lockscope' && isEntry((d.data as { baseline?: unknown } | undefined)?.baseline),
  );
  if (!ours.length) return [];
  let old: string | undefined;
  try {
    old = fs.readFileSync(file, 'utf8');
  } catch {
    old = undefined;
  }
  let entries: BaselineEntry[] = [];
  if (old !== undefined) {
    try {
      entries = Baseline.parse(old, file).entries;
    } catch {
      return [];
    } // a broken baseline is not rewritten
  }
  const out: CodeAction[] = [];
  for (const d of ours) {
    const entry = (d.data as { baseline: BaselineEntry }).baseline;
    const text = Baseline.format([...entries, entry]);
    let edit: WorkspaceEdit;
    if (old === undefined) {
      if (!documentChanges) continue;
      edit = {
        documentChanges: [
          { kind: 'create', uri, options: { ignoreIfExists: true } },
          {
            textDocument: { uri, version: null },
            edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: text }],
          },
        ],
      };
    } else {
      const lines = old.split('\n');
      const end = { line: lines.length - 1, character: lines[lines.length - 1].length };
      edit = { changes: { [uri]: [{ range: { start: { line: 0, character: 0 }, end }, newText: text }] } };
    }
    out.push({
      title: `lockscope: add this ${String(d.code)} to the baseline (${BASELINE_FILE})`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      edit,
    });
  }
  return out;
}
