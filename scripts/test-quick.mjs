// npm run test:quick: the unit and fixture tests (test/out/unit/) without the slow pipeline ones — worker
// pools and the on-disk cache (index-pipeline), the seeded edit series (incremental), the CLI spawned per
// report (report). `npm test` runs everything; `.ci/run` adds the corpus, neovim and VS Code runs.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const SLOW = ['index-pipeline.test.js', 'incremental.test.js', 'report.test.js', 'splat-cli.test.js'];
const dir = path.join(root, 'test', 'out', 'unit');
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.test.js') && !SLOW.includes(f))
  .map((f) => path.join(dir, f));
const r = spawnSync(process.execPath, ['--test', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
