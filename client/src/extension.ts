/**
 * The VS Code client: starts the bundled lockscope server over IPC, gives it an output channel,
 * and restarts it when it dies (with a limit, so a crash loop does not spin forever).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  type CloseHandlerResult,
  ErrorAction,
  type ErrorHandler,
  type ErrorHandlerResult,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { FindingsProvider } from './findings';
import { StepWalker, explainFinding } from './steps';
import { mapSplat } from './splat';
import { StatusBar, reindex, showCallGraph, showIndexStatus, showLockOrder } from './views';

let client: LanguageClient | undefined;

/** Restart after a crash, but at most 5 times in 3 minutes. */
class RestartingErrorHandler implements ErrorHandler {
  private restarts: number[] = [];
  constructor(private readonly output: vscode.OutputChannel) {}
  error(): ErrorHandlerResult {
    return { action: ErrorAction.Continue };
  }
  closed(): CloseHandlerResult {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < 180_000);
    this.restarts.push(now);
    if (this.restarts.length > 5) {
      this.output.appendLine(
        'lockscope: the server stopped 5 times in 3 minutes; not restarting. Use "lockscope: Restart Language Server".',
      );
      return {
        action: CloseAction.DoNotRestart,
        message: 'lockscope server keeps stopping; see the lockscope output channel.',
      };
    }
    this.output.appendLine('lockscope: the server stopped; restarting it.');
    return { action: CloseAction.Restart };
  }
}

/** The user-level (global) values of the settings that decide what code the server loads. */
function userStartupSettings(): { grammarDirectory?: string; allowUnpinnedGrammar?: boolean } {
  const c = vscode.workspace.getConfiguration('lockscope');
  const dir = c.inspect<string>('grammarDirectory')?.globalValue;
  const unpinned = c.inspect<boolean>('allowUnpinnedGrammar')?.globalValue;
  return {
    ...(typeof dir === 'string' && dir ? { grammarDirectory: dir } : {}),
    ...(unpinned === true ? { allowUnpinnedGrammar: true } : {}),
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('lockscope', { log: true });
  context.subscriptions.push(output);
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'c' },
      { scheme: 'untitled', language: 'c' },
    ],
    synchronize: {
      configurationSection: 'lockscope',
      // a kernel tree's .config decides #ifdef CONFIG_ arms: a changed one re-analyses the open files
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{.lockscope.json,.lockscope-baseline.json,.config}'),
    },
    outputChannel: output,
    errorHandler: new RestartingErrorHandler(output),
    // the index cache is the CLI's ($LOCKSCOPE_CACHE_DIR, else $XDG_CACHE_HOME/lockscope or ~/.cache/lockscope):
    // the same tree with the same settings is indexed once for both (the server's default when no cacheDir is
    // passed); what code is loaded comes from the user's own settings only, never a workspace's (README, Safety)
    initializationOptions: {
      ...userStartupSettings(),
    },
  };
  client = new LanguageClient('lockscope', 'lockscope', serverOptions, clientOptions);
  const bar = new StatusBar(context, client);
  const walker = new StepWalker(context);
  const findings = new FindingsProvider(context, client, walker);
  context.subscriptions.push(
    vscode.commands.registerCommand('lockscope.restartServer', async () => {
      output.appendLine('lockscope: restarting the server on request');
      await client?.restart();
    }),
    vscode.commands.registerCommand('lockscope.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('lockscope.showCallGraph', () => client && showCallGraph(client, context)),
    vscode.commands.registerCommand('lockscope.showLockOrder', () => client && showLockOrder(client, context)),
    vscode.commands.registerCommand('lockscope.showIndexStatus', () => client && showIndexStatus(client)),
    vscode.commands.registerCommand('lockscope.reindex', () => client && reindex(client, bar)),
    vscode.commands.registerCommand('lockscope.explainFinding', () => explainFinding(walker)),
    vscode.commands.registerCommand('lockscope.mapSplat', () => client && mapSplat(client, context)),
  );
  await client.start();
  bar.watchIndex();
  if (findings.view.visible) await findings.refresh();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
