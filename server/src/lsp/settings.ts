/**
 * The settings in force: the client's (workspace/configuration, when it answers it), then each workspace
 * folder's .lockscope.json over them, and the folders' baselines. A problem in any of them is shown to
 * the user as a warning and the server goes on with the defaults for what was wrong. The kernel tree's
 * configuration (the kconfig setting's file, else its .config) is read here too. Settings that decide
 * what code is loaded are read only at start-up (startup.ts), never from here.
 */
import { type Connection, DidChangeConfigurationNotification } from 'vscode-languageserver/node';
import {
  STARTUP_SETTINGS,
  type Settings,
  defaultSettings,
  mergeSettings,
  parseSettings,
  readWorkspaceFile,
} from '../engine';
import type { Baseline } from '../engine/checks';
import { withKernelConfig } from '../tree/kconfig-file';
import { loadBaselines } from './baseline';
import { type Log, MessageType } from './log';
import type { Startup } from './startup';

export class Configuration {
  settings: Settings = defaultSettings();
  /** Accepted findings, from .lockscope-baseline.json at the workspace roots. */
  baselines: Baseline[] = [];

  constructor(
    private readonly connection: Connection,
    private readonly startup: Startup,
    private readonly log: Log,
    /** The kernel tree of the workspace, whose .config (or the kconfig setting's file) decides CONFIG_ arms. */
    private readonly kernelTree: () => string | undefined = () => undefined,
  ) {}

  /** Ask to be told when the client's lockscope settings change (when the client can say). */
  async watch(): Promise<void> {
    if (!this.startup.canConfigure) return;
    try {
      await this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'lockscope' });
    } catch {
      /* optional */
    }
  }

  async load(): Promise<void> {
    let settings = defaultSettings();
    const problems: string[] = [];
    if (this.startup.canConfigure) {
      try {
        const raw: unknown = await this.connection.workspace.getConfiguration('lockscope');
        const r = parseSettings(
          withoutStartupSettings(raw, (m) => this.log.log(m)),
          'settings',
        );
        problems.push(...r.problems.filter((m) => !m.includes('unknown setting')));
        settings = r.settings;
      } catch (e) {
        problems.push(`could not read settings: ${(e as Error).message}`);
      }
    }
    for (const root of this.startup.roots) {
      const ws = readWorkspaceFile(root);
      problems.push(...ws.problems);
      if (ws.settings) settings = mergeSettings(settings, ws.settings);
    }
    const kc = withKernelConfig(settings, this.kernelTree());
    problems.push(...kc.problems);
    settings = kc.settings;
    if (settings.kernelConfig) this.log.log(`lockscope: kernel configuration ${settings.kernelConfig.origin}`);
    this.baselines = loadBaselines(this.startup.roots, (m) => problems.push(m));
    for (const p of problems) this.log.show(MessageType.Warning, `lockscope: ${p}`);
    this.settings = settings;
  }
}

/**
 * The settings a client sends in workspace/configuration, without those that decide what code is loaded:
 * those come only at start-up (VS Code sends the user-level value of lockscope.grammarDirectory here too).
 */
function withoutStartupSettings(raw: unknown, log: (m: string) => void): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw ?? {};
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const key of Object.keys(STARTUP_SETTINGS)) {
    if (out[key]) {
      log(
        `lockscope: lockscope.${key} is read only when the server starts (initializationOptions, or lockscope lsp ` +
          '--grammars DIR); the value in workspace/configuration is ignored',
      );
    }
    delete out[key];
  }
  return out;
}
