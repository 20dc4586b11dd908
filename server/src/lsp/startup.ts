/**
 * What the server knows from the moment it is initialized, and never changes after: the workspace
 * folders, what the client can do, where the index cache lives, and where the grammar (code) is loaded
 * from — the command line or the environment first, else the client's initializationOptions (the user's
 * own settings), never a workspace's.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InitializeParams } from 'vscode-languageserver/node';
import type { GrammarSource } from '../engine';
import { defaultCacheDir } from '../tree/cache';

export interface ServerOptions {
  /** The grammar folder and pinning given on the command line or by the environment. */
  grammar?: GrammarSource;
}

export interface Startup {
  /** The workspace folders on disk. */
  roots: string[];
  /** The client answers workspace/configuration. */
  canConfigure: boolean;
  /** The client shows work-done progress. */
  canProgress: boolean;
  /** The client applies workspace edits that create files. */
  canDocumentChanges: boolean;
  /** The on-disk index cache: initializationOptions.cacheDir when a client names one, else the CLI's (shared). */
  cacheDir: string;
  grammar: GrammarSource;
}

interface InitOptions {
  cacheDir?: unknown;
  grammarDirectory?: unknown;
  allowUnpinnedGrammar?: unknown;
}

export function startupOf(p: InitializeParams, options: ServerOptions, log: (m: string) => void): Startup {
  const init = (
    p.initializationOptions && typeof p.initializationOptions === 'object' ? p.initializationOptions : {}
  ) as InitOptions;
  let grammar: GrammarSource = options.grammar ?? {};
  // the grammar is code: a folder named on the command line wins, else the one the client passes from the
  // user's own settings (VS Code's lockscope.grammarDirectory is machine-scoped: no workspace can set it)
  if (!options.grammar?.dir && typeof init.grammarDirectory === 'string' && init.grammarDirectory) {
    grammar = { ...grammar, dir: init.grammarDirectory };
  }
  if (init.allowUnpinnedGrammar === true) grammar = { ...grammar, allowUnpinned: true };
  const given = init.cacheDir;
  const folders = p.workspaceFolders?.map((f) => f.uri) ?? (p.rootUri ? [p.rootUri] : []);
  return {
    roots: folders.flatMap((u) => pathOf(u, log)),
    canConfigure: !!p.capabilities.workspace?.configuration,
    canProgress: !!p.capabilities.window?.workDoneProgress,
    canDocumentChanges: !!p.capabilities.workspace?.workspaceEdit?.documentChanges,
    cacheDir: typeof given === 'string' && given ? path.join(given, 'index') : defaultCacheDir(),
    grammar,
  };
}

/** A workspace folder's path: none for a folder that is not a local file URI. */
function pathOf(uri: string, log: (m: string) => void): string[] {
  if (!uri.startsWith('file:')) return [];
  try {
    return [fileURLToPath(uri)];
  } catch (e) {
    log(`lockscope: the workspace folder ${uri} is not a local path (${(e as Error).message}); it is left out`);
    return [];
  }
}
