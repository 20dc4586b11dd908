/**
 * Loading web-tree-sitter and the C grammar from explicit paths (logged), and the queries in
 * grammars/*.scm. A missing or broken file fails loudly with the paths that were tried.
 *
 * The two WASM files are code: web-tree-sitter's loader runs JavaScript embedded in a module (EM_JS)
 * before it checks that the module is a grammar. So they are loaded only from this package's own
 * grammars/ or from a folder the user names (the --grammars flag, $LOCKSCOPE_GRAMMARS, the user-level
 * VS Code setting passed at start-up) — never from a tree's .lockscope.json or workspace settings — and
 * their SHA-256 must equal the bundled files' pins unless the user says otherwise (--allow-unpinned-grammar,
 * $LOCKSCOPE_ALLOW_UNPINNED_GRAMMAR=1). The bytes that are hashed are the bytes that are loaded.
 */
import { createHash } from 'node:crypto';
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

/** Where the grammar comes from: a folder the user named, and whether files other than the pinned ones may load. */
export interface GrammarSource {
  dir?: string;
  allowUnpinned?: boolean;
}

/**
 * SHA-256 of the WASM files lockscope ships (tree-sitter-c 0.24.1, web-tree-sitter 0.27.1, as copied by
 * scripts/build.mjs from the locked npm packages). A test checks the installed packages against them.
 */
export const GRAMMAR_PINS: Readonly<Record<string, string>> = {
  'tree-sitter-c.wasm': 'c852c2a85ebf2beb636aa3b0ef7f7e70458684d74f6741b20dcb296885bed9f9',
  'web-tree-sitter.wasm': 'beca80e44cccbf2299ed4d1e3fa6462a9a6fe818aeebf847547a392227ce4acc',
};

/** $LOCKSCOPE_ALLOW_UNPINNED_GRAMMAR=1 (the environment is the user's, not the tree's). */
export function unpinnedAllowedByEnv(): boolean {
  return process.env.LOCKSCOPE_ALLOW_UNPINNED_GRAMMAR === '1';
}

/** The file's bytes, refused unless their hash is the pinned one (or unpinned files are allowed). */
function readPinned(file: string, allowUnpinned: boolean, log: (m: string) => void): Buffer {
  const bytes = fs.readFileSync(file);
  const name = path.basename(file);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha === GRAMMAR_PINS[name]) return bytes;
  if (allowUnpinned) {
    log(
      `lockscope: ${file} is not the bundled ${name} (sha256 ${sha}); loading it because unpinned grammars are allowed`,
    );
    return bytes;
  }
  throw new GrammarError(
    `lockscope: refusing to load ${file}: it is not the ${name} lockscope ships (sha256 ${sha}, expected ` +
      `${GRAMMAR_PINS[name]}). A WASM file is code; to load one you trust, pass --allow-unpinned-grammar ` +
      '(or set LOCKSCOPE_ALLOW_UNPINNED_GRAMMAR=1, or the user setting lockscope.allowUnpinnedGrammar).',
  );
}

const FILES = ['tree-sitter-c.wasm', 'web-tree-sitter.wasm', 'calls.scm', 'initializers.scm'];

/**
 * Where grammars/ is: an explicit folder, $LOCKSCOPE_GRAMMARS, or this package's own grammars/ (found
 * by walking up from this file, stopping at the package's root: never a folder above the package).
 */
export function findGrammarDir(explicit?: string): { dir?: string; tried: string[] } {
  const tried: string[] = [];
  const ok = (d: string) => {
    tried.push(d);
    return FILES.every((f) => fs.existsSync(path.join(d, f)));
  };
  if (explicit) return ok(explicit) ? { dir: explicit, tried } : { tried };
  if (process.env.LOCKSCOPE_GRAMMARS && ok(process.env.LOCKSCOPE_GRAMMARS))
    return { dir: process.env.LOCKSCOPE_GRAMMARS, tried };
  for (let d = __dirname; ; d = path.dirname(d)) {
    const g = path.join(d, 'grammars');
    if (ok(g)) return { dir: g, tried };
    if (isPackageRoot(d) || path.dirname(d) === d) break;
  }
  return { tried };
}

function isPackageRoot(d: string): boolean {
  try {
    return (
      (JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')) as { name?: unknown }).name === 'lockscope'
    );
  } catch {
    return false;
  }
}

let initialised: Promise<void> | undefined;
let initialisedWith: string | undefined;

export async function loadGrammar(source: GrammarSource = {}, log: (m: string) => void = () => {}): Promise<Grammar> {
  const { dir, tried } = findGrammarDir(source.dir || undefined);
  const allowUnpinned = source.allowUnpinned ?? unpinnedAllowedByEnv();
  if (!dir) {
    throw new GrammarError(
      `lockscope: the C grammar was not found. It needs ${FILES.join(', ')} in one folder; ` +
        `looked in: ${tried.join(', ')}. Run "npm run build" (it copies the WASM files into grammars/) ` +
        'or name a folder with --grammars DIR, $LOCKSCOPE_GRAMMARS or the user setting lockscope.grammarDirectory.',
    );
  }
  const runtime = path.join(dir, 'web-tree-sitter.wasm');
  const grammar = path.join(dir, 'tree-sitter-c.wasm');
  log(`lockscope: web-tree-sitter runtime ${runtime}`);
  log(`lockscope: C grammar ${grammar}`);
  const grammarBytes = readPinned(grammar, allowUnpinned, log);
  if (!initialised) {
    const wasmBinary = readPinned(runtime, allowUnpinned, log);
    initialisedWith = runtime;
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
    language = await Language.load(grammarBytes);
  } catch (e) {
    throw new GrammarError(`lockscope: could not load the C grammar ${grammar}: ${(e as Error).message}`);
  }
  const parser = new Parser();
  parser.setLanguage(language);
  const q = (file: string) => {
    const p = path.join(dir, file);
    try {
      return new Query(language, fs.readFileSync(p, 'utf8'));
    } catch (e) {
      throw new GrammarError(`lockscope: query ${p} does not compile against the grammar: ${(e as Error).message}`);
    }
  };
  return { parser, language, dir, queries: { calls: q('calls.scm'), initializers: q('initializers.scm') } };
}

/** Reasons not to parse a buffer at all. */
export function rejectReason(text: string, maxBytes: number): string | undefined {
  if (text.length > maxBytes)
    return (
      `file is ${(text.length / 1024 / 1024).toFixed(1)} MiB, ` +
      `over the ${(maxBytes / 1024 / 1024).toFixed(1)} MiB limit (lockscope.maxFileSizeKB); not analysed`
    );
  const head = text.slice(0, 8192);
  if (head.includes('\u0000')) return 'binary file (NUL bytes); not analysed';
  let odd = 0;
  for (let i = 0; i < head.length; i++) if (head.charCodeAt(i) === 0xfffd) odd++;
  if (head.length > 512 && odd / head.length > 0.1) return 'file is not text (invalid UTF-8); not analysed';
  return undefined;
}

/**
 * Old Mac line breaks (a lone CR) as LF. tree-sitter counts rows by LF only, so a CR-only file would be one
 * line to it, while editors and LSP count CR as a line break. Same length, same offsets: only rows change.
 */
export function normaliseLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}
