/**
 * `lockscope check` over a kernel tree: find the tree's root (the nearest ancestor with
 * include/linux/), index its default roots (fs/, include/, mm/, block/) so callees in headers, mm/
 * and other filesystems are seen, and report findings only inside the paths the user named.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type GrammarSource, type Settings } from '../engine';
import { findingsFor } from '../engine';
import { type BuildTimings, buildTree, defaultJobs } from '../tree/build';
import type { Finding } from '../engine/model';
import { toPosix, treeFiles, walkC } from '../tree/files';
import type { RunStats } from './format';
import type { Progress } from './progress';

export interface TreeRun {
  findings: Finding[];
  stats: RunStats;
  inputError: boolean;
  timings: BuildTimings;
}

/** How the tree is indexed: extraction workers and the on-disk cache (undefined: none). */
export interface IndexOptions {
  jobs?: number;
  cacheDir?: string;
  grammar?: GrammarSource;
}

/**
 * The files to index: the tree's roots and every C file under the targets; `named`: the files named on the
 * command line (tree-relative), analysed even where the kernel configuration does not build them.
 */
export function filesToIndex(
  root: string,
  settings: Settings,
  targets: string[],
): { files: Set<string>; named: Set<string> } {
  const files = new Set<string>(treeFiles(root, settings));
  const named = new Set<string>();
  for (const t of targets) {
    if (fs.statSync(t).isDirectory()) for (const f of walkC(t)) files.add(path.resolve(f));
    else {
      files.add(t);
      named.add(toPosix(path.relative(root, t)));
    }
  }
  return { files, named };
}

/**
 * Index the tree, then report on `targets` (absolute paths); file names in the output (and the root) are
 * relative to `base`, the directory lockscope runs in.
 */
export async function checkTree(
  settings: Settings,
  root: string,
  targets: string[],
  base: string,
  idx: IndexOptions,
  progress: Pick<Progress, 'note' | 'update'>,
  warn: (m: string) => void,
): Promise<TreeRun> {
  const t0 = process.hrtime.bigint();
  const { files, named } = filesToIndex(root, settings, targets);
  progress.note(
    `indexing ${files.size} files under ${root}` +
      `${idx.jobs === 0 ? '' : ` with ${idx.jobs ?? defaultJobs()} workers`}` +
      `${idx.cacheDir ? `, cache ${idx.cacheDir}` : ''}`,
  );
  const rel = (abs: string) => toPosix(path.relative(root, abs));
  const { analysis, timings, leftOut } = await buildTree({
    root,
    files: [...files],
    keep: (r) => named.has(r),
    settings,
    jobs: idx.jobs,
    cacheDir: idx.cacheDir,
    grammar: idx.grammar,
    warn,
    progress: progress.update,
  });
  if (leftOut.length)
    progress.note(
      `${leftOut.length} file${leftOut.length === 1 ? '' : 's'} not indexed: not built with ` +
        `${settings.kernelConfig ? settings.kernelConfig.origin : 'the debug-only options, unset without a .config'}`,
    );
  if (timings.warm) progress.note(`the whole analysis came from the cache (${timings.total.toFixed(2)} s)`);
  else if (idx.cacheDir) progress.note(`${timings.cacheHits} files from the cache, ${timings.parsed} parsed`);
  const targetRels = targets.map((t) => rel(t));
  const isTarget = (file: string): boolean =>
    targetRels.some((t) => t === '' || file === t || file.startsWith(`${t}/`));
  let inputError = false;
  for (const s of analysis.skipped) {
    if (!isTarget(s.file)) continue;
    warn(`${toPosix(path.relative(base, path.join(root, s.file)))}: ${s.reason}`);
    if (targetRels.includes(s.file)) inputError = true;
  }
  const { findings, stats } = findingsFor(analysis, settings, isTarget);
  const out = (file: string) => toPosix(path.relative(base, path.join(root, file)));
  const incomplete = (stats.incomplete ?? [])
    .filter((i) => isTarget(i.file ?? ''))
    .map((i) => ({ ...i, file: out(i.file ?? '') }));
  if ((stats.incomplete ?? []).some((i) => i.part !== 'summary' && targetRels.includes(i.file ?? '')))
    inputError = true;
  const shown = findings.map((f) => ({
    ...f,
    file: out(f.file),
    path: f.path.map((s) => ({ ...s, file: s.file ? out(s.file) : out(f.file) })),
  }));
  const seconds = Math.round(Number(process.hrtime.bigint() - t0) / 1e6) / 1000;
  return {
    findings: shown,
    inputError,
    timings,
    stats: {
      files: stats.files,
      functions: stats.functions,
      seconds,
      functionsWithParseErrors: stats.functionsWithParseErrors,
      lockSites: { found: stats.lockSitesFound, modelled: stats.lockSitesModelled },
      unmodelled: stats.unmodelled,
      skipped: analysis.skipped.filter((s) => isTarget(s.file)).map((s) => ({ file: out(s.file), reason: s.reason })),
      ...(incomplete.length ? { incomplete } : {}),
      indexed: {
        root: toPosix(path.relative(base, root)) || '.',
        files: files.size,
        indirectUnresolved: stats.indirectUnresolved,
      },
    },
  };
}
