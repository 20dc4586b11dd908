/** The options that say how a tree is indexed (--jobs, --cache-dir, --no-cache, --grammars), for check and report. */
import * as path from 'node:path';
import { type GrammarSource, unpinnedAllowedByEnv } from '../engine';
import { defaultCacheDir } from '../tree/cache';
import { UsageError, flag, type Parsed, str } from './args';
import type { IndexOptions } from './tree';

export interface IndexArgs {
  jobs?: number;
  cacheDir?: string;
  noCache: boolean;
  /** The grammar folder the user named (--grammars), and --allow-unpinned-grammar. */
  grammars?: string;
  allowUnpinned?: boolean;
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
