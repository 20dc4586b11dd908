// Generate the settings' JSON schemas from the zod schema (server/src/settings-schema.ts): package.json's
// contributes.configuration.properties and schemas/lockscope.schema.json (for .lockscope.json, registered
// with contributes.jsonValidation). `node scripts/schemas.mjs --check` only says whether they are current
// (test/unit/schemas.test.ts does the same in the test run).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import * as prettier from 'prettier';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-schemas-'));
const out = path.join(tmp, 'schema.cjs');
await esbuild.build({
  entryPoints: [path.join(root, 'server/src/settings-schema.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  logLevel: 'warning',
});
const gen = createRequire(import.meta.url)(out);
fs.rmSync(tmp, { recursive: true, force: true });

const pkgFile = path.join(root, 'package.json');
const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
pkg.contributes.configuration.properties = gen.configurationProperties();
pkg.contributes.jsonValidation = [{ fileMatch: '.lockscope.json', url: `./${gen.SCHEMA_FILE}` }];
const schemaFile = path.join(root, gen.SCHEMA_FILE);
// formatted as prettier (npm run lint) wants them
const pretty = async (file, value) =>
  prettier.format(JSON.stringify(value, null, 2), { ...(await prettier.resolveConfig(file)), filepath: file });
const wanted = new Map([
  [pkgFile, await pretty(pkgFile, pkg)],
  [schemaFile, await pretty(schemaFile, gen.workspaceFileSchema())],
]);
const stale = [...wanted].filter(([f, text]) => !fs.existsSync(f) || fs.readFileSync(f, 'utf8') !== text);
if (process.argv.includes('--check')) {
  for (const [f] of stale) console.error(`schemas: ${path.relative(root, f)} is not what "npm run schemas" makes`);
  process.exit(stale.length ? 1 : 0);
}
for (const [f, text] of stale) {
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  console.log(`schemas: wrote ${path.relative(root, f)}`);
}
if (!stale.length) console.log('schemas: package.json and the .lockscope.json schema are current');
