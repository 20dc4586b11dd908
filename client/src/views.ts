/**
 * What the client shows beyond the LSP: the status bar item (findings, or indexing), the index status,
 * and the call-graph report in a webview (SVG from the server; nodes link to their sources; export to
 * SVG, DOT and Markdown).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CallGraphRequest, type CallGraphResult, IndexStatusRequest, ReindexRequest } from '../../server/src/protocol';

export function statusBar(context: vscode.ExtensionContext): void {
  const item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  item.command = 'workbench.actions.view.problems';
  const update = () => {
    let n = 0;
    for (const [, diags] of vscode.languages.getDiagnostics()) n += diags.filter((d) => d.source === 'lockscope').length;
    item.text = `$(lock) lockscope: ${n}`;
    item.tooltip = `${n} lockscope finding${n === 1 ? '' : 's'}; click for the Problems view`;
    item.show();
  };
  context.subscriptions.push(item, vscode.languages.onDidChangeDiagnostics(update));
  update();
}

export async function showIndexStatus(client: LanguageClient): Promise<void> {
  const s = await client.sendRequest(IndexStatusRequest);
  const text = s.state === 'ready'
    ? `lockscope: ${s.files} files, ${s.functions} functions indexed under ${s.root} in ${s.seconds?.toFixed(1)} s`
    : s.state === 'indexing' ? `lockscope: indexing ${s.root}: ${s.done ?? 0}/${s.total ?? '?'} files`
      : s.state === 'failed' ? `lockscope: indexing failed: ${s.message}`
        : 'lockscope: this workspace is not a kernel tree (no include/linux/): open files are analysed one at a time';
  await vscode.window.showInformationMessage(text);
}

export async function reindex(client: LanguageClient): Promise<void> {
  await client.sendRequest(ReindexRequest);
  await vscode.window.showInformationMessage('lockscope: re-indexing the workspace');
}

export async function showCallGraph(client: LanguageClient, context: vscode.ExtensionContext): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) { await vscode.window.showWarningMessage('lockscope: open a C file and put the cursor in a function'); return; }
  const depth = Number(await vscode.window.showQuickPick(['2', '3', '4', '6', '8'], { placeHolder: 'Call depth' }) ?? '4');
  const result = await client.sendRequest(CallGraphRequest, { uri: editor.document.uri.toString(), line: editor.selection.active.line, depth });
  if (!result) { await vscode.window.showWarningMessage('lockscope: no call graph here (put the cursor in a function of an indexed kernel tree)'); return; }
  const panel = vscode.window.createWebviewPanel('lockscope.callGraph', `Call graph: ${result.function}()`, vscode.ViewColumn.Beside,
    { enableScripts: true });
  panel.webview.html = html(result);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  panel.webview.onDidReceiveMessage(async (m: { open?: string; export?: 'svg' | 'dot' | 'md' }) => {
    if (m.open && root) {
      const [file, line] = m.open.split('#L');
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, file));
      const pos = new vscode.Position(Math.max(0, Number(line) - 1), 0);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
    } else if (m.export) {
      const content = m.export === 'svg' ? result.svg : m.export === 'dot' ? result.dot : result.markdown;
      const target = await vscode.window.showSaveDialog({ defaultUri: root && vscode.Uri.joinPath(root, `${result.function}.${m.export}`) });
      if (target) await vscode.workspace.fs.writeFile(target, Buffer.from(content, 'utf8'));
    }
  }, undefined, context.subscriptions);
}

function html(r: CallGraphResult): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
.graph svg { max-width: 100%; height: auto; background: white; }
button { margin-right: .5em; }
</style></head><body>
<h2>Call graph of <code>${r.function}()</code></h2>
<p>Edges: the locks held at the call. Red: calls on a finding's path. Click a function to open it.</p>
<p><button data-export="svg">Export SVG</button><button data-export="dot">Export DOT</button><button data-export="md">Export Markdown</button></p>
<div class="graph" id="graph">${r.svg.replace(/^[\s\S]*?<svg/, '<svg')}</div>
<script>
const vscode = acquireVsCodeApi();
document.querySelectorAll('button[data-export]').forEach((b) => b.addEventListener('click', () => vscode.postMessage({ export: b.dataset.export })));
document.querySelectorAll('#graph a').forEach((a) => a.addEventListener('click', (e) => {
  e.preventDefault();
  const href = a.getAttribute('xlink:href') || a.getAttribute('href');
  if (href) vscode.postMessage({ open: href });
}));
</script></body></html>`;
}

/** Explain Finding: walk the path of the lockscope finding under the cursor, step by step, across files. */
export async function explainFinding(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return;
  const here = editor.selection.active;
  const diags = vscode.languages.getDiagnostics(editor.document.uri).filter((d) => d.source === 'lockscope');
  const d = diags.find((x) => x.range.contains(here)) ?? diags.find((x) => x.range.start.line === here.line);
  if (!d || !d.relatedInformation?.length) { await vscode.window.showInformationMessage('lockscope: no finding on this line'); return; }
  const steps = d.relatedInformation.map((r) => ({
    label: r.message, description: `${vscode.workspace.asRelativePath(r.location.uri)}:${r.location.range.start.line + 1}`, location: r.location,
  }));
  const pick = vscode.window.createQuickPick<(typeof steps)[number]>();
  pick.title = `${String(d.code)}: ${d.message}`;
  pick.items = steps;
  pick.placeholder = 'Up/down walks the path; Enter opens the step';
  const reveal = async (s: (typeof steps)[number] | undefined, preserveFocus: boolean) => {
    if (!s) return;
    const doc = await vscode.workspace.openTextDocument(s.location.uri);
    await vscode.window.showTextDocument(doc, { selection: s.location.range, preserveFocus, preview: true });
  };
  pick.onDidChangeActive((a) => { void reveal(a[0], true); });
  pick.onDidAccept(() => { void reveal(pick.activeItems[0], false); pick.hide(); });
  pick.show();
}