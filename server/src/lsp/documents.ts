/**
 * The open documents: their text (every change passes through here on its way into the document, so its
 * incremental session sees each edit), and their analysis, cached by version. A document inside the
 * indexed tree is analysed against the live index, and an edit that changes what its functions do to
 * locks is handed on (`summariesChanged`) so that the callers in other files are refreshed; the first
 * analysis of a file only brings the index up to date.
 */
import { type Connection, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { type FileResult, type Finding, unanalysed } from '../engine';
import { DocumentSession, type ExternalIndex, analyseDocument, rangedChange } from '../incremental';
import type { AnalyzerHost } from './analyzer';
import type { Log } from './log';
import type { Workspace } from './workspace';

export interface AnalysisHooks {
  /** An edit in `origin` changed what some functions do to locks: `stale` are their callers in other files. */
  summariesChanged(stale: Map<string, Set<string>>, origin: string): void;
}

export class Documents {
  /** Open documents' incremental state: syntax tree, edits since the last analysis, per-function results. */
  private readonly sessions = new Map<string, DocumentSession>();
  private readonly results = new Map<string, { version: number; result: FileResult }>();
  readonly text: TextDocuments<TextDocument>;

  constructor(
    private readonly engine: AnalyzerHost,
    private readonly indexing: { readonly index?: ExternalIndex },
    private readonly workspace: Workspace,
    private readonly log: Log,
    private readonly hooks: AnalysisHooks,
  ) {
    this.text = new TextDocuments<TextDocument>({
      create: (uri, languageId, version, content) => TextDocument.create(uri, languageId, version, content),
      update: (doc, changes, version) => {
        const session = this.sessions.get(doc.uri);
        let cur = doc;
        for (const c of changes) {
          if (session) {
            // a whole-text change (no incremental sync) is told as the ranged change it amounts to
            const { startOffset, endOffset, text } =
              'range' in c
                ? { startOffset: cur.offsetAt(c.range.start), endOffset: cur.offsetAt(c.range.end), text: c.text }
                : rangedChange(cur.getText(), c.text);
            const range = { start: cur.positionAt(startOffset), end: cur.positionAt(endOffset) };
            session.change({ ...range, startOffset, endOffset, text });
          }
          cur = TextDocument.update(cur, [c], version);
        }
        return cur;
      },
    });
    this.text.onDidClose((e) => this.forget(e.document.uri));
  }

  listen(connection: Connection): void {
    this.text.listen(connection);
  }

  get(uri: string): TextDocument | undefined {
    return this.text.get(uri);
  }

  all(): TextDocument[] {
    return this.text.all();
  }

  /** A line of a document, without its line break. */
  lineText(doc: TextDocument, line: number): string {
    return doc.getText({ start: { line, character: 0 }, end: { line, character: 100000 } }).replace(/\r?\n$/, '');
  }

  /** The ops-table field a function of the document is stored in, by the tree index (a method), if any. */
  methodOf(uri: string, name: string): string | undefined {
    const file = this.workspace.treePath(uri);
    return file ? this.indexing.index?.methodOf(file, name) : undefined;
  }

  /** The open documents inside the indexed tree, by tree-relative path. */
  inTree(): { doc: TextDocument; file: string }[] {
    return this.all().flatMap((doc) => {
      const file = this.workspace.treePath(doc.uri);
      return file ? [{ doc, file }] : [];
    });
  }

  /** The findings of every document analysed so far. */
  findings(): Finding[] {
    return [...this.results.values()].flatMap((x) => x.result.findings);
  }

  /** Forget the analysis of one document (or all): the next `analyse` does it again. */
  invalidate(uri?: string): void {
    if (uri === undefined) this.results.clear();
    else this.results.delete(uri);
  }

  /** Other settings, other results: every document is analysed again from scratch. */
  settingsChanged(): void {
    this.results.clear();
    for (const session of this.sessions.values()) session.replaced();
  }

  /** Analyse a document (cached by version); undefined when the engine is not available. */
  analyse(doc: TextDocument): FileResult | undefined {
    const analyzer = this.engine.analyzer;
    if (!analyzer) return undefined;
    const cached = this.results.get(doc.uri);
    if (cached && cached.version === doc.version) return cached.result;
    let result: FileResult;
    try {
      let session = this.sessions.get(doc.uri);
      if (!session) {
        session = new DocumentSession();
        this.sessions.set(doc.uri, session);
      }
      result = this.analyseIn(doc, session, !!cached?.result.summaries);
    } catch (e) {
      this.log.error(`lockscope: internal error analysing ${doc.uri}: ${(e as Error).stack ?? String(e)}`);
      result = unanalysed(doc.uri, `internal error: ${(e as Error).message}`);
    }
    if (result.error) this.log.log(`lockscope: ${this.workspace.displayPath(doc.uri)}: ${result.error}`);
    this.results.set(doc.uri, { version: doc.version, result });
    return result;
  }

  private analyseIn(doc: TextDocument, session: DocumentSession, analysedBefore: boolean): FileResult {
    const analyzer = this.engine.analyzer!;
    const inTree = this.workspace.treePath(doc.uri);
    const index = this.indexing.index;
    if (!inTree || !index)
      return analyseDocument(analyzer, session, doc.getText(), this.workspace.displayPath(doc.uri));
    const result = analyseDocument(analyzer, session, doc.getText(), inTree, index);
    if (result.summaries) {
      const { stale, changed } = index.update(inTree, result.summaries);
      // (after the first analysis the index holds this file's last summaries, so `stale` is what this edit changed)
      if (stale.size && analysedBefore) {
        const what = `what ${changed.join(', ')} do to locks changed`;
        this.log.log(`lockscope: ${inTree}: ${what}; refreshing their callers in ${stale.size} other file(s)`);
        this.hooks.summariesChanged(stale, inTree);
      }
    }
    return result;
  }

  private forget(uri: string): void {
    this.results.delete(uri);
    this.sessions.get(uri)?.dispose();
    this.sessions.delete(uri);
  }
}
