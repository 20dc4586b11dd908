/**
 * Loading web-tree-sitter and the C grammar from explicit paths (logged), and the queries in
 * grammars/*.scm. A missing or broken file fails loudly with the paths that were tried.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser, Query } from 'web-tree-sitter';

export interface Grammar {
  parser: Parser;
  language: Language;
  queries: { calls: Query; initializers: Query };
  dir: string;
}

export class GrammarError extends Error {}

const FILES = ['tree-sitter-c.wasm', 'web-tree-sitter.wasm', 'calls.scm', 'initializers.scm'];

/** Where grammars/ is: an explicit folder, $LOCKSCOPE_GRAMMARS, or the nearest grammars/ above this file. */
export function findGrammarDir(explicit?: string): { dir?: string; tried: string[] } {
  const tried: string[] = [];
  const ok = (d: string) => { tried.push(d); return FILES.every((f) => fs.existsSync(path.join(d, f))); };
  if (explicit) return ok(explicit) ? { dir: explicit, tried } : { tried };
  if (process.env.LOCKSCOPE_GRAMMARS && ok(process.env.LOCKSCOPE_GRAMMARS)) return { dir: process.env.LOCKSCOPE_GRAMMARS, tried };
  for (let d = __dirname; ; d = path.dirname(d)) {
    const g = path.join(d, 'grammars');
    if (ok(g)) return { dir: g, tried };
    if (path.dirname(d) === d) break;
  }
  return { tried };
}

let initialised: Promise<void> | undefined;
let initialisedWith: string | undefined;

export async function loadGrammar(explicitDir?: string, log: (m: string) => void = () => {}): Promise<Grammar> {
  const { dir, tried } = findGrammarDir(explicitDir || undefined);
  if (!dir) {
    throw new GrammarError(`lockscope: the C grammar was not found. It needs ${FILES.join(', ')} in one folder; looked in: ${tried.join(', ')}. Run "npm run build" (it copies the WASM files into grammars/) or set lockscope.grammarDirectory.`);
  }
  const runtime = path.join(dir, 'web-tree-sitter.wasm');
  const grammar = path.join(dir, 'tree-sitter-c.wasm');
  log(`lockscope: web-tree-sitter runtime ${runtime}`);
  log(`lockscope: C grammar ${grammar}`);
  if (!initialised) {
    initialisedWith = runtime;
    const wasmBinary = fs.readFileSync(runtime);
    initialised = Parser.init({ wasmBinary, locateFile: () => runtime } as object);
  } else if (initialisedWith !== runtime) {
    log(`lockscope: web-tree-sitter already initialised from ${initialisedWith}`);
  }
  try {
    await initialised;
  } catch (e) {
    initialised = undefined;
    throw new GrammarError(`lockscope: could not start web-tree-sitter from ${runtime}: ${(e as Error).message}`);
  }
  let language: Language;
  try {
    language = await Language.load(fs.readFileSync(grammar));
  } catch (e) {
    throw new GrammarError(`lockscope: could not load the C grammar ${grammar}: ${(e as Error).message}`);
  }
  const parser = new Parser();
  parser.setLanguage(language);
  const q = (file: string) => {
    const p = path.join(dir, file);
    try { return new Query(language, fs.readFileSync(p, 'utf8')); } catch (e) {
      throw new GrammarError(`lockscope: query ${p} does not compile against the grammar: ${(e as Error).message}`);
    }
  };
  return { parser, language, dir, queries: { calls: q('calls.scm'), initializers: q('initializers.scm') } };
}
