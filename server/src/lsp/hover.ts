/**
 * Hover: the locks held at a position (must and may), what the function needs held on entry and what its
 * callers in the tree hold; on a call, what the callee does with locks (the same file first, then the
 * tree index, calls through pointers resolved from here). Without a grammar, hover says why nothing is
 * analysed.
 */
import { type Hover, type HoverParams, MarkupKind } from 'vscode-languageserver/node';
import { type FileResult, type FunctionInfo, functionAt, locksAt } from '../engine';
import type { ExternalIndex } from '../incremental';
import type { AnalyzerHost } from './analyzer';
import type { Documents } from './documents';
import { calleeAt, calleeMarkdown, hoverMarkdown } from './present';
import type { Workspace } from './workspace';

const markdown = (value: string): Hover => ({ contents: { kind: MarkupKind.Markdown, value } });

export class HoverFeature {
  constructor(
    private readonly documents: Documents,
    private readonly engine: AnalyzerHost,
    private readonly indexing: { readonly index?: ExternalIndex },
    private readonly workspace: Workspace,
  ) {}

  onHover(p: HoverParams): Hover | null {
    const { uri } = p.textDocument;
    const { line, character } = p.position;
    const doc = this.documents.get(uri);
    if (!doc) return null;
    if (!this.engine.analyzer)
      return this.engine.error ? markdown(`lockscope is not running: ${this.engine.error}`) : null;
    const r = this.documents.analyse(doc);
    if (!r || r.error) return null;
    const stopped = this.incomplete(r, line + 1);
    if (stopped) return markdown(stopped);
    const at = locksAt(r, line + 1, character + 1);
    if (!at) return null;
    const inTree = this.workspace.treePath(uri);
    const callers = inTree && this.indexing.index ? this.indexing.index.callersOf(inTree, at.fn.name) : [];
    const value = hoverMarkdown(at.fn, at.held, line + 1, uri, callers);
    const callee = this.onCall(r, at.fn, inTree, calleeAt(this.documents.lineText(doc, line), character));
    return markdown(callee ? `${value}\n\n---\n\n${callee}` : value);
  }

  /** Inside a function a budget stopped: say so, rather than show locks the engine never computed. */
  private incomplete(r: FileResult, line: number): string | undefined {
    const fn = functionAt(r, line);
    const i = fn && r.stats.incomplete?.find((x) => x.function === fn.name && x.part !== 'summary');
    return i ? `**lockscope** · \`${i.function}()\` was not analysed: ${i.reason} (a budget).` : undefined;
  }

  /** On a call (`callee`, made in `fn`): what the callee does with locks, when lockscope knows. */
  private onCall(r: FileResult, fn: FunctionInfo, inTree: string | undefined, callee: string | undefined) {
    if (!callee || callee === fn.name || this.engine.analyzer?.catalog.primitive(callee)) return undefined;
    const index = this.indexing.index;
    const summary = r.summaries?.get(callee) ?? (inTree ? index?.summaryFrom(inTree, callee) : undefined);
    if (!summary) return undefined;
    return calleeMarkdown(callee, summary, index ? (d) => index.indirectTargets(inTree, fn.name, d) : undefined);
  }
}
