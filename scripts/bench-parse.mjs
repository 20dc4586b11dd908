#!/usr/bin/env node
// The parse floor for scripts/bench.mjs: web-tree-sitter parses every .c/.h file under the given roots of a
// kernel tree on one thread, deleting each tree at once (what lockscope's indexer must at least do).
//   node scripts/bench-parse.mjs KERNEL_ROOT DIR...   → prints {"files","bytes","seconds"} as JSON
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Language, Parser } from 'web-tree-sitter';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const [root, ...dirs] = process.argv.slice(2);
const grammars = path.join(repo, 'grammars');
await Parser.init({ locateFile: () => path.join(grammars, 'web-tree-sitter.wasm') });
const parser = new Parser();
parser.setLanguage(await Language.load(fs.readFileSync(path.join(grammars, 'tree-sitter-c.wasm'))));

const files = [];
const walk = (d) => {
  for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile() && /\.[ch]$/.test(e.name)) files.push(p);
  }
};
for (const d of dirs) if (fs.existsSync(path.join(root, d))) walk(path.join(root, d));
const texts = files.map((f) => fs.readFileSync(f, 'utf8')); // read first: the floor is parsing
const t0 = process.hrtime.bigint();
let bytes = 0;
for (const t of texts) {
  bytes += Buffer.byteLength(t);
  parser.parse(t)?.delete();
}
process.stdout.write(
  `${JSON.stringify({ files: files.length, bytes, seconds: Number(process.hrtime.bigint() - t0) / 1e9 })}\n`,
);
