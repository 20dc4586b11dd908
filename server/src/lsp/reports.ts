/**
 * The reports the client shows in a view: the call graph below the function at a line, and the lock-order
 * graph of the indexed tree (Markdown, DOT and SVG; report/ renders them). Both need the tree index: null
 * outside a kernel tree or before the index is ready.
 */
import type { CallGraphParams, CallGraphResult, LockOrderParams, LockOrderResult } from '../protocol';
import { functionAt } from '../engine';
import type { ExternalIndex } from '../incremental';
import { callGraph, toDot, toMarkdown, toSvg } from '../report/callgraph';
import { treeReader } from '../report/source';
import { lockOrderDot, lockOrderGraph, lockOrderMarkdown } from '../report/lockgraph';
import type { Documents } from './documents';
import type { Workspace } from './workspace';

export class ReportsFeature {
  constructor(
    private readonly documents: Documents,
    private readonly indexing: { readonly index?: ExternalIndex },
    private readonly workspace: Workspace,
  ) {}

  async callGraph(p: CallGraphParams): Promise<CallGraphResult | null> {
    const doc = this.documents.get(p.uri);
    const r = doc ? this.documents.analyse(doc) : undefined;
    const fn = r && functionAt(r, p.line + 1);
    const file = this.workspace.treePath(p.uri);
    const index = this.indexing.index;
    if (!fn || !file || !index) return null;
    const g = callGraph(index.data, this.documents.findings(), `${file}:${fn.name}`, p.depth ?? 4, {
      read: treeReader(index.data.root),
    });
    if (!g) return null;
    const dot = toDot(g);
    return { function: fn.name, markdown: toMarkdown(g), dot, svg: await toSvg(dot) };
  }

  async lockOrder(p: LockOrderParams): Promise<LockOrderResult | null> {
    const index = this.indexing.index;
    if (!index) return null;
    const g = lockOrderGraph(index.data.order ?? [], {
      cyclesOnly: p.cyclesOnly ?? false,
      classFilter: p.classFilter ?? [],
    });
    const dot = lockOrderDot(g);
    const { classes, edges, cycles, omitted } = g;
    const markdown = lockOrderMarkdown(g);
    return {
      classes: classes.length,
      edges: edges.length,
      cycles: cycles.map((c) => c.classes),
      omitted,
      markdown,
      dot,
      svg: await toSvg(dot),
    };
  }
}
