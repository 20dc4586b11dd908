/**
 * Which files of a kernel tree are indexed: the `index.include` globs (default: fs/, include/, mm/,
 * block/) minus the `index.exclude` globs, matched against tree-relative POSIX paths.
 * Globs are picomatch's: `**` any run of path segments, `*` anything but `/`, `?` one character, `[a-e]` a
 * class, `{ext4,btrfs}` alternatives.
 */
import picomatch from 'picomatch';

export const DEFAULT_INCLUDE = ['fs/**', 'include/**', 'mm/**', 'block/**'];

/**
 * A glob as a RegExp, through picomatch (bash-style globs: `**`, `*`, `?`, `[a-e]`, `{ext4,btrfs}`, `!(x)`);
 * dot files match too, as every file of a kernel tree is the tree's.
 */
export function globToRegExp(glob: string): RegExp {
  return picomatch.makeRe(glob, { dot: true });
}

export class FileFilter {
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];
  private readonly includeGlobs: readonly string[];
  constructor(include: readonly string[], exclude: readonly string[]) {
    this.includeGlobs = include.length ? include : DEFAULT_INCLUDE;
    this.include = this.includeGlobs.map(globToRegExp);
    this.exclude = exclude.map(globToRegExp);
  }
  /** `rel`: a path relative to the tree root, with `/` separators. */
  accepts(rel: string): boolean {
    return this.include.some((r) => r.test(rel)) && !this.exclude.some((r) => r.test(rel));
  }
  /** The top-level folders worth walking (the first segment of each include glob, `*` meaning all). */
  roots(): string[] | undefined {
    const firsts = this.includeGlobs.map((g) => /^([A-Za-z0-9_.-]+)\//.exec(g)?.[1]);
    return firsts.every((f): f is string => !!f) ? [...new Set(firsts)] : undefined;
  }
}
