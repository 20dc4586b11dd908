/**
 * Where documents are: the workspace folders, and the kernel tree being indexed (when there is one).
 * Findings name files relative to a folder (or the tree); this maps between those names and URIs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** `p` relative to `root` with POSIX separators, or undefined when it is not inside `root`. */
function relativeInside(root: string, p: string): string | undefined {
  const rel = path.relative(root, p);
  return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel.split(path.sep).join('/');
}

/** The file system path of a `file:` URI; undefined for any other URI, or one node cannot map to a path. */
function localPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export class Workspace {
  /** The kernel tree being indexed (set when indexing starts). */
  indexRoot?: string;

  constructor(readonly roots: readonly string[]) {}

  /** The first workspace folder that is a kernel tree (it has include/linux/). */
  kernelTree(): string | undefined {
    return this.roots.find((r) => fs.existsSync(path.join(r, 'include', 'linux')));
  }

  /** The path findings carry: relative to a workspace folder when the file is inside one. */
  displayPath(uri: string): string {
    const p = localPath(uri);
    if (p === undefined) return uri;
    for (const root of this.roots) {
      const rel = relativeInside(root, p);
      if (rel !== undefined) return rel;
    }
    return p;
  }

  /** The workspace folder a document is in (the first one when it is in none). */
  rootOf(uri: string): string | undefined {
    const p = localPath(uri);
    if (p === undefined) return this.roots[0];
    return this.roots.find((r) => relativeInside(r, p) !== undefined) ?? this.roots[0];
  }

  /** The document's path relative to the indexed tree, when it is inside it. */
  treePath(uri: string): string | undefined {
    const p = localPath(uri);
    return this.indexRoot && p !== undefined ? relativeInside(this.indexRoot, p) : undefined;
  }

  /** The URI of a file a finding names (tree-relative, folder-relative or absolute). */
  uriOf(file: string, fallback: string): string {
    if (this.indexRoot && !path.isAbsolute(file)) return pathToFileURL(path.join(this.indexRoot, file)).toString();
    if (path.isAbsolute(file)) return pathToFileURL(file).toString();
    for (const root of this.roots) return pathToFileURL(path.join(root, file)).toString();
    return fallback;
  }

  /** The URI of a file in the indexed tree. */
  treeUri(file: string): string {
    return pathToFileURL(path.join(this.indexRoot ?? '', file)).toString();
  }
}
