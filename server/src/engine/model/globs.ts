/**
 * Which files of a kernel tree are indexed: the `index.include` globs (default: fs/, include/, mm/,
 * block/) minus the `index.exclude` globs, matched against tree-relative POSIX paths.
 * Globs: `**` any run of path segments, `*` anything but `/`, `?` one character.
 */
export const DEFAULT_INCLUDE = ['fs/**', 'include/**', 'mm/**', 'block/**'];

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
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
