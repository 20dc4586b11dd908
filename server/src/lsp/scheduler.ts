/**
 * When documents are analysed and their diagnostics published. An edit is analysed at once when the
 * document was quiet, and otherwise after a pause (25 ms): a keystroke after a pause is answered without
 * waiting, while a burst (a paste made of many changes, key repeat, an edit arriving while one is
 * waiting) re-arms the timer, so analyses never pile up. Findings listed in a baseline are not published.
 */
import type { Connection, Diagnostic } from 'vscode-languageserver/node';
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { Baseline } from '../engine/checks';
import { atLeast, incompleteText } from '../engine/model';
import type { Documents } from './documents';
import { toDiagnostic } from './present';
import type { Configuration } from './settings';
import type { Workspace } from './workspace';

const DEBOUNCE_MS = 25;

export class Scheduler {
  /** Bumped on every scheduled analysis: a propagation started for an older edit stops. */
  edits = 0;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** When each document was last analysed (performance.now()): an edit soon after waits for a pause. */
  private readonly lastAnalysed = new Map<string, number>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: Documents,
    private readonly config: Configuration,
    private readonly workspace: Workspace,
  ) {
    documents.text.onDidChangeContent((e) => this.schedule(e.document));
    documents.text.onDidClose((e) => {
      this.lastAnalysed.delete(e.document.uri);
      void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
  }

  /** Analyse and publish `doc` after `delay` ms (default: at once when it was quiet, else after a pause). */
  schedule(doc: TextDocument, delay?: number): void {
    this.edits++;
    const old = this.timers.get(doc.uri);
    if (old) clearTimeout(old);
    const quiet = !old && performance.now() - (this.lastAnalysed.get(doc.uri) ?? -Infinity) > DEBOUNCE_MS;
    const timer = setTimeout(
      () => {
        this.timers.delete(doc.uri);
        const current = this.documents.get(doc.uri);
        if (!current) return;
        this.publish(current);
        this.lastAnalysed.set(doc.uri, performance.now());
      },
      delay ?? (quiet ? 0 : DEBOUNCE_MS),
    );
    this.timers.set(doc.uri, timer);
  }

  /** A new index: analyse every open document again now, dropping old results. */
  refreshAll(): void {
    this.refresh(this.documents.all());
  }

  /** Summaries in the tree changed: analyse the open documents inside it again now, dropping old results. */
  refreshTree(): void {
    this.refresh(this.documents.inTree().map((x) => x.doc));
  }

  /** Analyse every open document now (results are kept where still valid). */
  scheduleAll(): void {
    for (const d of this.documents.all()) this.schedule(d, 0);
  }

  private refresh(docs: TextDocument[]): void {
    for (const d of docs) {
      this.documents.invalidate(d.uri);
      this.schedule(d, 0);
    }
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
  }

  private publish(doc: TextDocument): void {
    const r = this.documents.analyse(doc);
    if (!r) return;
    const baselines = this.config.baselines;
    const least = this.config.settings.confidence;
    const shown = r.findings
      .filter((f) => atLeast(f.confidence, least))
      .map((f) => ({ f, entry: Baseline.entryOf(f) }))
      .filter(({ entry }) => !baselines.some((b) => b.lists(entry.fingerprint, entry.file)));
    const diagnostics: Diagnostic[] = shown.map(({ f, entry }) => {
      const d = toDiagnostic(f, doc.uri, (file) => this.workspace.uriOf(file, doc.uri));
      d.data = { baseline: entry };
      if (this.config.settings.pathOrder === 'end-first' && d.relatedInformation) {
        d.relatedInformation = [...d.relatedInformation].reverse();
      }
      return d;
    });
    if (r.error && !r.error.startsWith('internal')) {
      const start = { line: 0, character: 0 };
      const message = `lockscope: ${r.error}`;
      const info = DiagnosticSeverity.Information;
      diagnostics.push({ range: { start, end: start }, severity: info, source: 'lockscope', message });
    }
    // a function a budget stopped (or whose summary it cut) is said so where it starts
    for (const i of r.stats.incomplete ?? []) {
      const start = { line: Math.max(0, i.line - 1), character: 0 };
      const message = `lockscope: ${incompleteText(i)}`;
      diagnostics.push({
        range: { start, end: start },
        severity: DiagnosticSeverity.Information,
        source: 'lockscope',
        message,
      });
    }
    void this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  }
}
