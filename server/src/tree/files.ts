/** Finding the C sources under the paths a user names, and reading them safely. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileFilter, type Settings } from '../engine';

const SKIP_DIRS = new Set(['.git', 'node_modules', '.svn', '.hg', 'out', 'dist']);

export function isCSource(p: string): boolean {
  return /\.(c|h)$/.test(p);
}

/** Every .c/.h file below `dir`, sorted, never following symlinked directories. */
export function walkC(dir: string): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) stack.push(p);
      } else if (e.isFile() && isCSource(e.name)) out.push(p);
    }
  }
  return out.sort();
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** Whether `p` is `root` or below it, symlinks resolved (a path that cannot be resolved is not). */
export function inside(root: string, p: string): boolean {
  let r: string;
  let q: string;
  try {
    r = fs.realpathSync(root);
    q = fs.realpathSync(p);
  } catch {
    return false;
  }
  const rel = path.relative(r, q);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The files of a tree the index covers (settings index.include / index.exclude), absolute paths; never a
 * file outside the tree (a glob such as "../**", or a top folder that is a symlink out of it, finds nothing).
 */
export function treeFiles(root: string, settings: Settings): string[] {
  const filter = new FileFilter(settings['index.include'], settings['index.exclude']);
  const out: string[] = [];
  for (const r of filter.roots() ?? ['.']) {
    const d = path.join(root, r);
    if (!inside(root, d) || !fs.existsSync(d) || !fs.statSync(d).isDirectory()) continue;
    for (const f of walkC(d)) {
      const rel = toPosix(path.relative(root, f));
      // walkC follows no symlink, so a file below a root inside the tree is inside it too
      if (!rel.startsWith('../') && filter.accepts(rel)) out.push(path.resolve(f));
    }
  }
  return out;
}

/** The nearest directory at or above `start` that holds include/linux/. */
export function findTreeRoot(start: string): string | undefined {
  let d = path.resolve(start);
  if (fs.existsSync(d) && !fs.statSync(d).isDirectory()) d = path.dirname(d);
  for (;;) {
    if (fs.existsSync(path.join(d, 'include', 'linux')) && fs.statSync(path.join(d, 'include', 'linux')).isDirectory())
      return d;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}
