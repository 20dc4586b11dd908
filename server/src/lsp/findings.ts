/**
 * `lockscope/findings`: every finding the server knows, for the client's findings view. In a kernel tree that is
 * the whole tree's findings as indexing found them (tree/indexer.ts sends them with the index), with each open
 * document's own, fresher findings in place of its file's; elsewhere, the open documents' findings. The same
 * filters as the diagnostics apply (the least confidence shown, the baselines, a kind turned off), at the
 * settings in force now, so the view and the Problems view agree on an open file.
 */
import { type Finding, atLeast } from '../engine';
import { Baseline } from '../engine/checks';
import type { FindingEntry, FindingStep, FindingsParams, FindingsResult, IndexStatus } from '../protocol';
import type { Documents } from './documents';
import { diagnosticMessage } from './present';
import type { Configuration } from './settings';
import type { Workspace } from './workspace';

/** How many findings one answer carries at most unless the client asks otherwise. */
export const DEFAULT_LIMIT = 5000;

export class FindingsFeature {
  constructor(
    private readonly documents: Pick<Documents, 'all' | 'analyse'>,
    private readonly indexing: { readonly findings: readonly Finding[]; readonly status: IndexStatus },
    private readonly config: Pick<Configuration, 'settings' | 'baselines'>,
    private readonly workspace: Workspace,
  ) {}

  findings(p: FindingsParams): FindingsResult {
    const state = this.indexing.status.state;
    // an open document's analysis is newer than the index's for its file (it has the unsaved edits)
    const open = new Map<string, { uri: string; findings: Finding[] }>();
    for (const doc of this.documents.all()) {
      const r = this.documents.analyse(doc);
      if (r) open.set(this.workspace.treePath(doc.uri) ?? `\0${doc.uri}`, { uri: doc.uri, findings: r.findings });
    }
    const all: { f: Finding; uri: string }[] = [];
    if (state === 'ready')
      for (const f of this.indexing.findings)
        if (!open.has(f.file)) all.push({ f, uri: this.workspace.treeUri(f.file) });
    for (const { uri, findings } of open.values()) for (const f of findings) all.push({ f, uri });
    const shown = all.filter(({ f }) => this.shown(f));
    shown.sort(
      (a, b) =>
        (a.f.file < b.f.file ? -1 : a.f.file > b.f.file ? 1 : 0) || a.f.line - b.f.line || a.f.column - b.f.column,
    );
    const limit = p.limit ?? DEFAULT_LIMIT;
    return {
      state,
      total: shown.length,
      findings: shown.slice(0, limit).map(({ f, uri }) => this.entry(f, uri)),
    };
  }

  /** Whether the diagnostics would show `f` at the settings in force now. */
  private shown(f: Finding): boolean {
    const { settings } = this.config;
    if (settings.severity[f.kind] === 'off') return false;
    if (!atLeast(f.confidence, settings.confidence)) return false;
    const entry = Baseline.entryOf(f);
    return !this.config.baselines.some((b) => b.lists(entry.fingerprint, entry.file));
  }

  private entry(f: Finding, uri: string): FindingEntry {
    const severity = this.config.settings.severity[f.kind];
    const confidence = f.confidence ?? 'high';
    const steps: FindingStep[] = f.path.map((s) => {
      const file = s.file || f.file;
      return {
        uri: file === f.file ? uri : this.workspace.uriOf(file, uri),
        file,
        line: s.line - 1,
        character: Math.max(0, s.column - 1),
        function: s.function,
        note: s.note,
      };
    });
    if (this.config.settings.pathOrder === 'end-first') steps.reverse();
    const endLine = Math.max(f.endLine, f.line);
    const endCol = endLine === f.line ? Math.max(f.endColumn, f.column + 1) : f.endColumn;
    return {
      kind: f.kind,
      severity: severity && severity !== 'off' ? severity : f.severity,
      confidence,
      uri,
      file: f.file,
      range: {
        start: { line: f.line - 1, character: f.column - 1 },
        end: { line: endLine - 1, character: endCol - 1 },
      },
      function: f.function,
      message: diagnosticMessage(f),
      steps,
    };
  }
}
