/**
 * The findings view (`lockscope.findings`): the whole tree's findings from the server (`lockscope/findings`),
 * grouped by file and kind, each finding's path steps below it; a click opens the place and makes it the step
 * the step walker (steps.ts) goes on from. It asks again when the server says its findings changed (a new
 * index, other settings) and, after a pause, when diagnostics change (an open file was analysed again), only
 * while the view is visible; otherwise at the next time it is shown.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FindingsChangedNotification, FindingsRequest, type FindingsResult } from '../../server/src/protocol';
import { type FileNode, type FindingNode, type FindingsNode, buildTree, findFinding, textOf } from './findings-model';
import type { StepWalker } from './steps';

const REFRESH_PAUSE_MS = 400;

const ICON: Record<string, string> = {
  error: 'error',
  warning: 'warning',
  information: 'info',
  hint: 'lightbulb',
};

export class FindingsProvider implements vscode.TreeDataProvider<FindingsNode> {
  private roots: FileNode[] = [];
  private stale = true;
  private timer?: NodeJS.Timeout;
  private readonly changed = new vscode.EventEmitter<FindingsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<FindingsNode>;

  constructor(
    context: vscode.ExtensionContext,
    private readonly client: LanguageClient,
    private readonly walker: StepWalker,
  ) {
    this.view = vscode.window.createTreeView('lockscope.findings', { treeDataProvider: this, showCollapseAll: true });
    context.subscriptions.push(
      this.view,
      this.changed,
      { dispose: () => clearTimeout(this.timer) },
      this.view.onDidChangeVisibility((e) => e.visible && this.stale && this.refresh()),
      vscode.languages.onDidChangeDiagnostics(() => this.soon()),
      client.onNotification(FindingsChangedNotification, () => this.soon()),
      vscode.commands.registerCommand('lockscope.refreshFindings', () => this.refresh()),
      vscode.commands.registerCommand('lockscope.goToStep', (n?: FindingsNode) => n && this.open(n)),
    );
    walker.onDidMove((at) => {
      if (!this.view.visible || !at) return;
      const node = findFinding(this.roots, at.finding.uri, at.finding.kind, at.finding.range.start.line);
      const shown = at.index === undefined ? node : node?.children[at.index];
      if (shown) void this.view.reveal(shown, { select: true, focus: false, expand: true });
    });
  }

  /** Ask the server again after a pause (a burst of diagnostics is one request); later when hidden. */
  private soon(): void {
    this.stale = true;
    if (!this.view.visible) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), REFRESH_PAUSE_MS);
  }

  async refresh(): Promise<void> {
    clearTimeout(this.timer);
    this.stale = false;
    let r: FindingsResult;
    try {
      r = await this.client.sendRequest(FindingsRequest, {});
    } catch {
      return; // the server is restarting: its next notification or diagnostics bring the view back
    }
    this.roots = buildTree(r.findings);
    this.view.message = messageOf(r);
    this.view.description = r.total ? `${r.total}` : undefined;
    this.changed.fire(undefined);
  }

  /** The finding node for a place (file URI, kind, first line), when the view holds it. */
  nodeAt(uri: string, kind: string, line: number): FindingNode | undefined {
    return findFinding(this.roots, uri, kind, line);
  }

  getTreeItem(n: FindingsNode): vscode.TreeItem {
    const t = textOf(n);
    const expand =
      n.type === 'step'
        ? vscode.TreeItemCollapsibleState.None
        : n.type === 'finding'
          ? vscode.TreeItemCollapsibleState.Collapsed
          : vscode.TreeItemCollapsibleState.Expanded;
    const item = new vscode.TreeItem(t.label, expand);
    item.id = n.id;
    item.description = t.description;
    item.tooltip = t.tooltip;
    item.contextValue = `lockscope.${n.type}`;
    if (n.type === 'file') {
      item.resourceUri = vscode.Uri.parse(n.uri);
      item.iconPath = vscode.ThemeIcon.File;
    } else if (n.type === 'kind' || n.type === 'finding') {
      const sev = n.type === 'kind' ? n.severity : n.finding.severity;
      item.iconPath = new vscode.ThemeIcon(ICON[sev] ?? 'warning');
    } else {
      item.iconPath = new vscode.ThemeIcon('debug-stackframe-dot');
    }
    if (n.type === 'finding' || n.type === 'step')
      item.command = { title: 'Go to', command: 'lockscope.goToStep', arguments: [n] };
    return item;
  }

  getChildren(n?: FindingsNode): FindingsNode[] {
    if (!n) return this.roots;
    return n.type === 'step' ? [] : n.children;
  }

  getParent(n: FindingsNode): FindingsNode | undefined {
    return n.type === 'file' ? undefined : n.parent;
  }

  /** A finding opens where it is reported (its walk starts before step 1); a step opens at the step. */
  private async open(n: FindingsNode): Promise<void> {
    if (n.type === 'finding') await this.walker.start(n.finding);
    else if (n.type === 'step') await this.walker.goTo(n.finding, n.index);
  }
}

/** What the view says above its tree: while indexing, or when it has nothing to show, why. */
function messageOf(r: FindingsResult): string | undefined {
  const cut = r.total > r.findings.length ? `Showing the first ${r.findings.length} of ${r.total} findings.` : '';
  switch (r.state) {
    case 'indexing':
      return `Indexing the tree: the open files' findings until it is done. ${cut}`.trim();
    case 'failed':
      return `Indexing failed (see Show Index Status): the open files' findings only. ${cut}`.trim();
    case 'none':
      return r.total ? `Not a kernel tree: the open files' findings. ${cut}`.trim() : 'No findings in the open files.';
    default:
      return r.total ? cut || undefined : 'No findings in the indexed tree.';
  }
}
