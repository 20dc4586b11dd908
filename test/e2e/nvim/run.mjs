// Second real LSP client: Debian's neovim, headless, opens the seed-000 tree and checks that the
// cross-file recursive-lock diagnostic and the hover come from lockscope. `npm run test:nvim`.
// Prints a closing "N passed, N failed" line; exits non-zero on failure (nvim missing is a failure).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tree = path.join(repo, 'test', 'trees', 'seed000-5.9');
const file = path.join(tree, 'fs', 'btrfs', 'file.c');
const lines = fs.readFileSync(file, 'utf8').split('\n');
const wantLine = lines.findIndex((l) => l.includes('btrfs_direct_write(iocb, from); /* expect: recursive-lock')) + 1;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-nvim-'));
const env = {
  ...process.env,
  XDG_CONFIG_HOME: path.join(home, 'config'),
  XDG_DATA_HOME: path.join(home, 'data'),
  XDG_CACHE_HOME: path.join(home, 'cache'),
  XDG_STATE_HOME: path.join(home, 'state'),
  SERVER_JS: path.join(repo, 'dist', 'server.js'),
  ROOT: tree,
  WANT_CODE: 'recursive-lock',
  WANT_LINE: String(wantLine),
  HOVER_LINE: String(wantLine),
};
const r = spawnSync(
  'nvim',
  ['--headless', '-n', '-i', 'NONE', '-u', path.join(repo, 'test', 'e2e', 'nvim', 'init.lua'), file],
  { env, encoding: 'utf8', timeout: 120000 },
);
fs.rmSync(home, { recursive: true, force: true });
process.stdout.write(r.stdout ?? '');
if (r.error) process.stdout.write(`nvim could not run: ${r.error.message} (apt-get install neovim)\n`);
const ok = r.status === 0 && /RESULT true/.test(r.stdout ?? '');
process.stdout.write(`neovim: ${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed\n`);
process.exitCode = ok ? 0 : 1;
