/**
 * Hostile inputs for the safety tests: a "grammar" that is a web-tree-sitter side module whose EM_JS
 * export is JavaScript, as an attacker would plant it in a tree. web-tree-sitter evaluates EM_JS strings
 * while it links a side module, before it checks that the module is a grammar; the payload here writes
 * a marker file, so a test can tell whether it ran.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './engine';

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const str = (s: string): number[] => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];

/** A side module: dylink.0 (memory for the string), env.memory and env.__memory_base imported, one EM_JS export. */
export function emJsModule(js: string): Buffer {
  const payload = [...Buffer.from(`()<::>${js}`), 0];
  const dylink = [
    ...str('dylink.0'),
    1,
    ...leb([...leb(payload.length), 0, 0, 0].length),
    ...leb(payload.length),
    0,
    0,
    0,
  ];
  const imports = [2, ...str('env'), ...str('memory'), 2, 0, 0, ...str('env'), ...str('__memory_base'), 3, 0x7f, 0];
  const globals = [1, 0x7f, 0, 0x41, 0, 0x0b];
  const exports = [1, ...str('__em_js__lockscope_probe'), 3, 1];
  const data = [1, 0, 0x23, 0, 0x0b, ...leb(payload.length), ...payload];
  return Buffer.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(0, dylink),
    ...section(2, imports),
    ...section(6, globals),
    ...section(7, exports),
    ...section(11, data),
  ]);
}

/**
 * A grammar folder as an attacker would plant it: the real runtime and queries, and a tree-sitter-c.wasm
 * whose EM_JS payload writes `marker` when it runs.
 */
export function plantGrammar(dir: string, marker: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const real = path.join(repoRoot(), 'grammars');
  for (const f of ['web-tree-sitter.wasm', 'calls.scm', 'initializers.scm'])
    fs.copyFileSync(path.join(real, f), path.join(dir, f));
  const js = `0; require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`;
  fs.writeFileSync(path.join(dir, 'tree-sitter-c.wasm'), emJsModule(js));
}
