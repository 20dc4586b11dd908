/**
 * "lockscope: Map Kernel Splat…": a lockdep report or hung-task trace (the active editor's text when it holds one,
 * else a file the user picks) sent to the server, which maps it onto the indexed tree (`lockscope/mapSplat`);
 * the answer, compiler-style lines with absolute paths, goes to an output channel, where each place is a link.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { MapSplatRequest } from '../../server/src/protocol';

/** What the server reads at most (and so what is worth sending). */
const MAX_BYTES = 8 * 1024 * 1024;
const HEADING =
  /possible (?:recursive|circular|irq lock inversion)|inconsistent lock state|INFO: task .* blocked for more than/;

let channel: vscode.OutputChannel | undefined;

export async function mapSplat(client: LanguageClient, context: vscode.ExtensionContext): Promise<void> {
  const source = await pickSource();
  if (!source) return;
  const result = await client.sendRequest(MapSplatRequest, { text: source.text, name: source.name });
  if (result.error) {
    void vscode.window.showWarningMessage(`lockscope: ${result.error}`);
    return;
  }
  if (!channel) {
    channel = vscode.window.createOutputChannel('lockscope splat');
    context.subscriptions.push(channel);
  }
  channel.clear();
  channel.append(result.text ?? '');
  channel.show(true);
  const n = result.predicted ?? 0;
  void vscode.window.showInformationMessage(
    n
      ? `lockscope: ${n} finding${n === 1 ? '' : 's'} predicted this splat`
      : 'lockscope: no finding predicted this splat',
  );
}

/** The active editor's text when it looks like a splat, else a file the user picks. */
async function pickSource(): Promise<{ text: string; name: string } | undefined> {
  const ed = vscode.window.activeTextEditor;
  if (ed && ed.document.languageId !== 'c') {
    const sel = ed.selection.isEmpty ? undefined : ed.document.getText(ed.selection);
    const text = sel ?? ed.document.getText();
    if (text.length <= MAX_BYTES && HEADING.test(text))
      return { text, name: vscode.workspace.asRelativePath(ed.document.uri) };
  }
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Map Splat',
    title: 'A lockdep report or hung-task trace (dmesg, journal or console log)',
  });
  const uri = picked?.[0];
  if (!uri) return undefined;
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > MAX_BYTES) {
    void vscode.window.showWarningMessage(`lockscope: ${uri.fsPath} is larger than 8 MiB; cut the splat out of it`);
    return undefined;
  }
  const bytes = await vscode.workspace.fs.readFile(uri);
  return { text: new TextDecoder('utf-8').decode(bytes), name: vscode.workspace.asRelativePath(uri) };
}
