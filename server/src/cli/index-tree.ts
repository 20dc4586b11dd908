/**
 * The tree indexed for a command that reads the whole analysis (`report`, `splat`): the tree's own settings
 * (.lockscope.json, the kernel configuration), the grammar loaded first (a bad folder is one clear message, not
 * a worker's stack trace), the index built with progress on stderr, and every finding, whatever its confidence.
 */
import {
  type Finding,
  type Settings,
  type TreeAnalysis,
  defaultSettings,
  findingsFor,
  loadGrammar,
  mergeSettings,
  readWorkspaceFile,
} from '../engine';
import { buildTree } from '../tree/build';
import { treeFiles } from '../tree/files';
import { type IndexArgs, applyKconfig, indexOptions } from './index-args';
import type { IndexOptions } from './tree';
import { Progress } from './progress';

/** The tree's own settings (.lockscope.json, the kernel configuration), with the grammar loaded. */
export async function treeSettings(
  root: string,
  idx: IndexArgs,
  warn: (m: string) => void,
): Promise<{ settings: Settings; o: IndexOptions }> {
  let settings = defaultSettings();
  const ws = readWorkspaceFile(root);
  ws.problems.forEach(warn);
  if (ws.settings) settings = mergeSettings(settings, ws.settings);
  settings = applyKconfig(settings, root, idx, warn);
  const o = indexOptions(idx);
  await loadGrammar(o.grammar);
  return { settings, o };
}

/** `files` of the tree indexed, with progress on stderr (`keep`: files the build would leave out but are asked for). */
export async function buildIndexed(
  root: string,
  files: string[],
  settings: Settings,
  o: IndexOptions,
  quiet: boolean,
  warn: (m: string) => void,
  keep?: (rel: string) => boolean,
): Promise<TreeAnalysis> {
  const progress = new Progress(process.stderr, { quiet, heartbeat: true });
  progress.note(`indexing ${files.length} files under ${root}${o.cacheDir ? `, cache ${o.cacheDir}` : ''}`);
  progress.start();
  try {
    const { analysis } = await buildTree({
      root,
      files,
      ...(keep ? { keep } : {}),
      settings,
      jobs: o.jobs,
      cacheDir: o.cacheDir,
      grammar: o.grammar,
      warn,
      progress: progress.update,
    });
    return analysis;
  } finally {
    progress.stop();
  }
}

export async function indexTree(
  root: string,
  idx: IndexArgs,
  quiet: boolean,
  warn: (m: string) => void,
  /** Lock-order inversions even where the settings turn them off (`splat`: a deadlock that happened is evidence). */
  withOrder = false,
): Promise<{ analysis: TreeAnalysis; findings: Finding[]; orderOff: boolean }> {
  const { settings, o } = await treeSettings(root, idx, warn);
  const analysis = await buildIndexed(root, treeFiles(root, settings), settings, o, quiet, warn);
  const orderOff = (settings.severity['lock-order-inversion'] ?? 'off') === 'off';
  const forFindings =
    withOrder && orderOff
      ? { ...settings, severity: { ...settings.severity, 'lock-order-inversion': 'warning' as const } }
      : settings;
  return { analysis, findings: findingsFor(analysis, forFindings, () => true).findings, orderOff };
}
