/** Finding the C sources under the paths a user names, and reading them safely. */
import * as fs from 'node:fs';
import * as path from 'node:path';

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
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { continue; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (!SKIP_DIRS.has(e.name)) stack.push(p); }
      else if (e.isFile() && isCSource(e.name)) out.push(p);
    }
  }
  return out.sort();
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
