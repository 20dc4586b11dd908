/**
 * Call hierarchy over the tree index, through ops tables, with the locks callers hold: an item names its
 * function in `data` ({ file, name }, tree-relative), so incoming and outgoing calls find it again.
 * Outside an indexed tree (or before the index is ready) there is no hierarchy (null).
 */
import {
  type CallHierarchyIncomingCall,
  type CallHierarchyIncomingCallsParams,
  type CallHierarchyItem,
  type CallHierarchyOutgoingCall,
  type CallHierarchyOutgoingCallsParams,
  type CallHierarchyPrepareParams,
  SymbolKind,
} from 'vscode-languageserver/node';
import { functionAt } from '../engine';
import type { ExternalIndex } from '../incremental';
import type { Documents } from './documents';
import type { Workspace } from './workspace';

/** What an item needs of a function. */
interface Fn {
  name: string;
  file: string;
  line?: number;
  endLine?: number;
}

export class CallHierarchyFeature {
  constructor(
    private readonly documents: Documents,
    private readonly indexing: { readonly index?: ExternalIndex },
    private readonly workspace: Workspace,
  ) {}

  onPrepare(p: CallHierarchyPrepareParams): CallHierarchyItem[] | null {
    const { uri } = p.textDocument;
    const doc = this.documents.get(uri);
    const r = doc ? this.documents.analyse(doc) : undefined;
    const fn = r && functionAt(r, p.position.line + 1);
    const file = this.workspace.treePath(uri);
    if (!fn || !file || this.indexing.index?.idOf(file, fn.name) === undefined) return null;
    const held = fn.entryHeld.map((h) => h.instance);
    const detail = held.length ? `${file} — entered holding ${held.join(', ')}` : file;
    return [this.itemOf({ name: fn.name, file, line: fn.line, endLine: fn.endLine }, detail)];
  }

  onIncoming(p: CallHierarchyIncomingCallsParams): CallHierarchyIncomingCall[] | null {
    const found = this.find(p.item);
    if (!found) return null;
    return found.index.incoming(found.id).map(({ caller, via, held }) => {
      const holds = held.length ? `holds ${held.join(', ')}` : 'holds nothing';
      const it = this.itemOf(caller, `${caller.file} — ${via ? `calls ${via}; ${holds}` : holds}`);
      return { from: it, fromRanges: [it.selectionRange] };
    });
  }

  onOutgoing(p: CallHierarchyOutgoingCallsParams): CallHierarchyOutgoingCall[] | null {
    const found = this.find(p.item);
    if (!found) return null;
    return found.index.outgoing(found.id).map(({ callee, via }) => {
      const it = this.itemOf(callee, via ? `${callee.file} — through ${via}` : callee.file);
      return { to: it, fromRanges: [p.item.selectionRange] };
    });
  }

  /** The indexed function an item names (its `data`), if any. */
  private find(item: CallHierarchyItem): { index: ExternalIndex; id: number } | undefined {
    const data = item.data as { file: string; name: string } | undefined;
    const index = this.indexing.index;
    const id = data && index?.idOf(data.file, data.name);
    return id === undefined || !index ? undefined : { index, id };
  }

  private itemOf(fn: Fn, detail: string): CallHierarchyItem {
    const line = Math.max(0, (fn.line ?? 1) - 1);
    const end = Math.max(line, (fn.endLine ?? fn.line ?? 1) - 1);
    return {
      name: fn.name,
      kind: SymbolKind.Function,
      detail,
      uri: this.workspace.treeUri(fn.file),
      range: { start: { line, character: 0 }, end: { line: end, character: 1 } },
      selectionRange: { start: { line, character: 0 }, end: { line, character: 1 } },
      data: { file: fn.file, name: fn.name },
    };
  }
}
