/**
 * The tree indexed for a command that reads the whole analysis (`report`, `splat`): the tree's own settings
 * (.lockscope.json, the kernel configuration), the grammar loaded first (a bad folder is one clear message, not
 * a worker's stack trace), the index built with progress on stderr, and every finding, whatever its confidence.
 */
import {
  type Finding,
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
import { Progress } from './progress';

export async function indexTree(
  root: string,
  idx: IndexArgs,
  quiet: boolean,
  warn: (m: string) => void,
  /** Lock-order inversions even where the settings turn them off (`splat`: a deadlock that happened is evidence). */
  withOrder = false,
): Promise<{ analysis: TreeAnalysis; findings: Finding[]; orderOff: boolean }> {
  let settings = defaultSettings();
  const ws = readWorkspaceFile(root);
  ws.problems.forEach(warn);
  if (ws.settings) settings = mergeSettings(settings, ws.settings);
  settings = applyKconfig(settings, root, idx, warn);
  const o = indexOptions(idx);
  await loadGrammar(o.grammar);
  const progress = new Progress(process.stderr, { quiet, heartbeat: true });
  const files = treeFiles(root, settings);
  progress.note(`indexing ${files.length} files under ${root}${o.cacheDir ? `, cache ${o.cacheDir}` : ''}`);
  progress.start();
  let analysis;
  try {
    ({ analysis } = await buildTree({
      root,
      files,
      settings,
      jobs: o.jobs,
      cacheDir: o.cacheDir,
      grammar: o.grammar,
      warn,
      progress: progress.update,
    }));
  } finally {
    progress.stop();
  }
  const orderOff = (settings.severity['lock-order-inversion'] ?? 'off') === 'off';
  const forFindings =
    withOrder && orderOff
      ? { ...settings, severity: { ...settings.severity, 'lock-order-inversion': 'warning' as const } }
      : settings;
  return { analysis, findings: findingsFor(analysis, forFindings, () => true).findings, orderOff };
}
