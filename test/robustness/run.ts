/** Running the real CLI (bin/lockscope.js) as a child process, in a temp folder. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { root } from '../support/lsp';

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], cwd: string, timeoutMs = 120000): Run {
  const r = spawnSync(process.execPath, [path.join(root(), 'bin', 'lockscope.js'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(t: { after: (fn: () => void) => void }, prefix = 'lockscope-robust-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** No stack trace and no "internal error" in what a person sees. */
export const STACK = /internal error|\n\s+at .+[(:]\d+:\d+\)?|TypeError|ReferenceError|RangeError/;

export const USAGE_LINE = /^usage: lockscope check <dir\|file\.\.\.>/m;

/** The one-line summary the text format ends with. */
export const SUMMARY = /^lockscope: (\d+) findings? in (\d+) files, (\d+) functions \((\d+) with parse errors\)/m;
