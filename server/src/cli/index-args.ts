/**
 * The options that say how a tree is indexed (--jobs, --cache-dir, --no-cache, --grammars, --kconfig), for
 * check and report.
 */
import * as path from 'node:path';
import { type GrammarSource, type Settings, unpinnedAllowedByEnv } from '../engine';
import { defaultCacheDir } from '../tree/cache';
import { withKernelConfig } from '../tree/kconfig-file';
import { toPosix } from '../tree/files';
import { InputError, UsageError, flag, type Parsed, str } from './args';
import type { IndexOptions } from './tree';

export interface IndexArgs {
  jobs?: number;
  cacheDir?: string;
  noCache: boolean;
  /** The grammar folder the user named (--grammars), and --allow-unpinned-grammar. */
  grammars?: string;
  allowUnpinned?: boolean;
  /** --kconfig FILE: the kernel configuration (else the kconfig setting, else the tree's .config). */
  kconfig?: string;
}

/** --jobs, --cache-dir, --no-cache and the grammar flags, shared by check and report. */
export function indexArgs(p: Parsed): IndexArgs {
  const a: IndexArgs = { noCache: flag(p, 'no-cache') };
  const jobs = str(p, 'jobs');
  if (jobs !== undefined) {
    const n = Number(jobs);
    if (jobs.trim() === '' || !Number.isInteger(n) || n < 0 || n > 64) throw new UsageError('--jobs takes 0 to 64');
    a.jobs = n;
  }
  a.cacheDir = str(p, 'cache-dir');
  a.grammars = str(p, 'grammars');
  a.allowUnpinned = flag(p, 'allow-unpinned-grammar');
  a.kconfig = str(p, 'kconfig');
  if (a.kconfig !== undefined && !a.kconfig.trim()) throw new UsageError('--kconfig takes a file');
  if (a.cacheDir !== undefined && a.noCache) throw new UsageError('--cache-dir and --no-cache together');
  return a;
}

/**
 * The grammar comes from the user only: --grammars, else $LOCKSCOPE_GRAMMARS or the package's own (never a
 * settings file).
 */
export function grammarSource(a: IndexArgs): GrammarSource {
  return {
    dir: a.grammars ? path.resolve(a.grammars) : undefined,
    allowUnpinned: a.allowUnpinned || unpinnedAllowedByEnv(),
  };
}

export function indexOptions(a: IndexArgs): IndexOptions {
  return {
    jobs: a.jobs,
    cacheDir: a.noCache ? undefined : path.resolve(a.cacheDir ?? defaultCacheDir()),
    grammar: grammarSource(a),
  };
}

/**
 * `settings` with the kernel configuration of the tree at `root` read in: --kconfig FILE (relative to the
 * current directory), else the kconfig setting (relative to the tree), else the tree's .config. A file given
 * with --kconfig that cannot be used is an error (exit 2); one from the settings or the tree is a warning,
 * and the run goes on without it.
 */
export function applyKconfig(
  settings: Settings,
  root: string | undefined,
  a: IndexArgs,
  warn: (m: string) => void,
): Settings {
  const given = a.kconfig !== undefined ? { ...settings, kconfig: path.resolve(a.kconfig) } : settings;
  const shown = (abs: string) => toPosix(path.relative(process.cwd(), abs)) || abs;
  const r = withKernelConfig(given, root, shown);
  if (r.problems.length && a.kconfig !== undefined) throw new InputError(`--kconfig: ${r.problems.join('; ')}`);
  r.problems.forEach(warn);
  return r.settings;
}
