/**
 * Code actions: on a lockscope diagnostic, silence it on its line, walk its path, or add it to the
 * workspace folder's baseline; in a function that needs a lock held only because a callee asserts it,
 * state that in the function itself (annotate.ts); on a definition, write its whole inferred lock contract
 * (contract-actions.ts). Every action is an edit offered, never applied.
 */
import type { CodeAction, CodeActionParams } from 'vscode-languageserver/node';
import { functionAt } from '../engine';
import { annotationActions } from './annotate';
import { baselineActions } from './baseline';
import { contractActions } from './contract-actions';
import type { Documents } from './documents';
import { suppressActions } from './present';
import type { Workspace } from './workspace';

export class CodeActionsFeature {
  constructor(
    private readonly documents: Documents,
    private readonly workspace: Workspace,
    private readonly canDocumentChanges: boolean,
  ) {}

  onCodeAction(p: CodeActionParams): CodeAction[] {
    const doc = this.documents.get(p.textDocument.uri);
    if (!doc) return [];
    const diagnostics = p.context.diagnostics;
    const actions = suppressActions(doc.uri, diagnostics, (line) => this.documents.lineText(doc, line));
    actions.push(...baselineActions(this.workspace.rootOf(doc.uri), diagnostics, this.canDocumentChanges));
    // in a function that needs a lock only because a callee asserts it: offer to state it here
    const r = this.documents.analyse(doc);
    const fn = r && functionAt(r, p.range.start.line + 1);
    const requires = fn && r?.summaries?.get(fn.name)?.requires;
    if (fn && requires?.length) {
      actions.push(...annotationActions(doc.uri, fn, requires, doc.getText().split(/\r?\n/)));
    }
    // the whole inferred contract, as `lockscope contracts` writes it
    if (r) {
      const methodOf = (name: string) => this.documents.methodOf(doc.uri, name);
      actions.push(...contractActions(doc.uri, r, doc.getText(), p.range.start.line, diagnostics, methodOf));
    }
    return actions;
  }
}
