/**
 * Finding and reading the kernel configuration of a tree: the file the `kconfig` setting (or the CLI's
 * --kconfig) names, else the tree's own `.config` at its root. It is data (parsed strictly by
 * model/kconfig.ts); a file that cannot be read or parsed is reported and the analysis goes on without one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_CONFIG_BYTES, type Settings, parseKernelConfig } from '../engine/model';

/**
 * `settings` with `kernelConfig` read for the tree at `root` (undefined: no tree; only an absolute `kconfig`
 * is read then), and the problems met. `display` shows a path in messages.
 */
export function withKernelConfig(
  settings: Settings,
  root: string | undefined,
  display: (abs: string) => string = (p) => p,
): { settings: Settings; problems: string[] } {
  const { kernelConfig: _old, ...rest } = settings;
  const base: Settings = rest;
  const named = settings.kconfig.trim();
  let file: string | undefined;
  if (named) file = path.isAbsolute(named) ? named : root ? path.join(root, named) : path.resolve(named);
  else if (root && isFile(path.join(root, '.config'))) file = path.join(root, '.config');
  if (!file) return { settings: base, problems: [] };
  const shown = display(file);
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return { settings: base, problems: [`${shown}: not a file; no kernel configuration used`] };
    if (st.size > MAX_CONFIG_BYTES)
      return { settings: base, problems: [`${shown}: ${st.size} bytes is too large for a kernel .config; not used`] };
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return { settings: base, problems: [`${shown}: cannot read the kernel configuration (${why})`] };
  }
  const { config, problems } = parseKernelConfig(text, shown);
  return { settings: config ? { ...base, kernelConfig: config } : base, problems };
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
