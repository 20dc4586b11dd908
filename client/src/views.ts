/**
 * What the client shows beyond the LSP: the status bar item (findings, or indexing), the index status,
 * and the call-graph report in a webview (SVG from the server; nodes link to their sources; export to
 * SVG, DOT and Markdown).
 */
import * as vscode from 'vscode';
import { graphPage, parseGraphMessage } from './webview';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  CallGraphRequest,
  type IndexStatus,
  IndexStatusRequest,
  LockOrderRequest,
  ReindexRequest,
} from '../../server/src/protocol';

/** The status bar item: indexing progress while the server indexes the tree, then the number of findings. */
export class StatusBar {
  private readonly item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  private indexing?: IndexStatus;
  private timer?: NodeJS.Timeout;

  constructor(
    context: vscode.ExtensionContext,
    private readonly client: LanguageClient,
  ) {
    this.item.command = 'workbench.actions.view.problems';
    context.subscriptions.push(
      this.item,
      vscode.languages.onDidChangeDiagnostics(() => this.update()),
      { dispose: () => clearTimeout(this.timer) },
    );
    this.update();
  }

  /** Follow the server's index until it is ready (polled: the progress also shows in the notification area). */
  watchIndex(): void {
    clearTimeout(this.timer);
    let waits = 0;
    const poll = async () => {
      try {
        const s = await this.client.sendRequest(IndexStatusRequest);
        this.indexing = s.state === 'indexing' ? s : undefined;
        this.update();
        // 'none' right after start may only mean the server has not begun yet: ask a few more times
        if (s.state === 'indexing' || (s.state === 'none' && ++waits < 10))
          this.timer = setTimeout(() => {
            void poll();
          }, 1000);
      } catch {
        this.indexing = undefined;
        this.update();
      }
    };
    void poll();
  }

  private update(): void {
    if (this.indexing) {
      const s = this.indexing;
      this.item.text = `$(sync~spin) lockscope: ${phaseText(s)}`;
      this.item.tooltip = `lockscope is indexing ${s.root ?? 'the tree'}; findings across files come when it is done`;
    } else {
      let n = 0;
      for (const [, diags] of vscode.languages.getDiagnostics())
        n += diags.filter((d) => d.source === 'lockscope').length;
      this.item.text = `$(lock) lockscope: ${n}`;
      this.item.tooltip = `${n} lockscope finding${n === 1 ? '' : 's'}; click for the Problems view`;
    }
    this.item.show();
  }
}

export async function showIndexStatus(client: LanguageClient): Promise<void> {
  const s = await client.sendRequest(IndexStatusRequest);
  const text =
    s.state === 'ready'
      ? `lockscope: ${s.files} files, ${s.functions} functions ` +
        `(${s.functionsWithParseErrors ?? 0} with parse errors) indexed under ${s.root} ` +
        `in ${s.seconds?.toFixed(1)} s; ` +
        (s.warm
          ? 'loaded whole from the cache'
          : `${s.cacheHits ?? 0} files from the cache, ${s.parsed ?? 0} parsed by ${s.workers ?? 1} workers`)
      : s.state === 'indexing'
        ? `lockscope: indexing ${s.root}: ${phaseText(s)}`
        : s.state === 'failed'
          ? `lockscope: indexing failed: ${s.message}`
          : 'lockscope: this workspace is not a kernel tree (no include/linux/): open files are analysed one at a time';
  await vscode.window.showInformationMessage(text);
}

export async function reindex(client: LanguageClient, bar?: StatusBar): Promise<void> {
  await client.sendRequest(ReindexRequest);
  bar?.watchIndex();
  await vscode.window.showInformationMessage('lockscope: re-indexing the workspace');
}

export async function showCallGraph(client: LanguageClient, context: vscode.ExtensionContext): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    await vscode.window.showWarningMessage('lockscope: open a C file and put the cursor in a function');
    return;
  }
  const depth = Number(
    (await vscode.window.showQuickPick(['2', '3', '4', '6', '8'], { placeHolder: 'Call depth' })) ?? '4',
  );
  const result = await client.sendRequest(CallGraphRequest, {
    uri: editor.document.uri.toString(),
    line: editor.selection.active.line,
    depth,
  });
  if (!result) {
    await vscode.window.showWarningMessage(
      'lockscope: no call graph here (put the cursor in a function of an indexed kernel tree)',
    );
    return;
  }
  graphPanel(
    context,
    'lockscope.callGraph',
    `Call graph: ${result.function}()`,
    `Call graph of ${result.function}()`,
    "Edges: the locks held at the call. Red: calls on a finding's path. Click a function to open it.",
    result,
    result.function,
  );
}

export async function showLockOrder(client: LanguageClient, context: vscode.ExtensionContext): Promise<void> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'Cycles only', cyclesOnly: true },
      { label: 'All order edges', cyclesOnly: false },
    ],
    { placeHolder: 'Lock-order graph of the indexed tree' },
  );
  if (!pick) return;
  const filter = await vscode.window.showInputBox({
    prompt: 'Only classes containing (comma-separated; empty for all)',
    placeHolder: 'i_rwsem, PG_locked',
  });
  if (filter === undefined) return;
  const classFilter = filter
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const result = await client.sendRequest(LockOrderRequest, { cyclesOnly: pick.cyclesOnly, classFilter });
  if (!result) {
    await vscode.window.showWarningMessage(
      'lockscope: no lock-order graph yet (it needs an indexed kernel tree; see Show Index Status)',
    );
    return;
  }
  graphPanel(
    context,
    'lockscope.lockOrder',
    'Lock-order graph',
    `Lock-order graph: ${result.classes} classes, ${result.edges} edge${result.edges === 1 ? '' : 's'}, ` +
      `${result.cycles.length} cycle${result.cycles.length === 1 ? '' : 's'}`,
    'An edge A → B: B is taken while A is held, at the witness named on it. Red: edges on a cycle.' +
      `${result.omitted ? ` ${result.omitted} edges left out by the filters or the size cap.` : ''}` +
      ' Click an edge label to open its witness.',
    result,
    'lock-order',
  );
}

interface Rendered {
  svg: string;
  dot: string;
  markdown: string;
}

function graphPanel(
  context: vscode.ExtensionContext,
  viewType: string,
  title: string,
  heading: string,
  legend: string,
  result: Rendered,
  baseName: string,
): void {
  const panel = vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Beside, {
    enableScripts: true,
    localResourceRoots: [],
  });
  panel.webview.html = graphPage(heading, legend, result.svg, panel.webview.cspSource);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  panel.webview.onDidReceiveMessage(
    async (raw: unknown) => {
      const m = parseGraphMessage(raw);
      if (!m) return; // not a message the page sends: a graph from an untrusted tree gets no say
      if ('open' in m && root) {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, m.open.file));
        const pos = new vscode.Position(Math.max(0, m.open.line - 1), 0);
        await vscode.window.showTextDocument(doc, {
          selection: new vscode.Range(pos, pos),
          viewColumn: vscode.ViewColumn.One,
        });
      } else if ('export' in m) {
        const content = m.export === 'svg' ? result.svg : m.export === 'dot' ? result.dot : result.markdown;
        const target = await vscode.window.showSaveDialog({
          defaultUri: root && vscode.Uri.joinPath(root, `${baseName}.${m.export}`),
        });
        if (target) await vscode.workspace.fs.writeFile(target, Buffer.from(content, 'utf8'));
      }
    },
    undefined,
    context.subscriptions,
  );
}

/** What indexing is doing, as the status bar and the status message say it. */
function phaseText(s: IndexStatus): string {
  const counted = `${s.done ?? 0}/${s.total ?? '?'}`;
  switch (s.phase) {
    case 'linking':
      return 'linking calls';
    case 'checking':
      return `checking ${counted} functions`;
    case 'saving':
      return 'saving to the cache';
    case 'loading':
      return 'loading the cached analysis';
    case 'hashing':
      return `reading ${counted} files`;
    default:
      return `indexing ${counted} files`;
  }
}
