/**
 * What the reports read of the tree beyond the index: a source file's text (to find the line of a call, and the
 * `#ifdef` around a lock), and the tree's build files (debugonly.ts). Read-only, through one reader that only
 * takes tree-relative paths inside the tree and remembers what it read for the one report it serves.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LinkFn } from '../engine/link';

/** A tree-relative POSIX path's text, or undefined when it is not a readable file of the tree. */
export type TreeReader = (rel: string) => string | undefined;

/** Files larger than this are not read (a generated table is no place to look for a call or a build rule). */
const MAX_BYTES = 4 << 20;

/** A reader over the tree at `root`, caching for its lifetime (create one per report). */
export function treeReader(root: string): TreeReader {
  const cache = new Map<string, string | undefined>();
  return (rel) => {
    if (cache.has(rel)) return cache.get(rel);
    let text: string | undefined;
    if (!path.isAbsolute(rel) && !rel.split('/').includes('..')) {
      try {
        const abs = path.join(root, rel);
        const st = fs.statSync(abs);
        if (st.isFile() && st.size <= MAX_BYTES) text = fs.readFileSync(abs, 'utf8');
      } catch {
        text = undefined;
      }
    }
    cache.set(rel, text);
    return text;
  };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The line (1-based) of the first call in `caller`'s body to `callee` (`name(`), or through the field an
 * indirect call names (`via` is `->fsync (btrfs_file_operations.fsync)`: `->fsync(` or `.fsync(`). Undefined
 * when the text does not show it (the call is made inside a macro, or the source is not readable).
 */
export function callSiteLine(read: TreeReader, caller: LinkFn, callee: string, via?: string): number | undefined {
  if (caller.line === undefined) return undefined;
  const text = read(caller.file);
  if (text === undefined) return undefined;
  const field = via && /^->(\w+)/.exec(via)?.[1];
  const re = field
    ? new RegExp(`(?:->|\\.)\\s*${escapeRe(field)}\\s*\\(`)
    : new RegExp(`\\b${escapeRe(callee)}\\s*\\(`);
  const lines = text.split('\n');
  const end = Math.min(lines.length, caller.endLine ?? lines.length);
  for (let i = caller.line - 1; i < end; i++) if (re.test(lines[i].replace(/\/\/.*$|\/\*.*?\*\//g, ''))) return i + 1;
  return undefined;
}
