/**
 * The headless CLI, same engine as the server:
 *   lockscope check <dir|file...> [--format text|json|sarif] [--exit-zero] [--config FILE]
 *   lockscope lsp [--stdio]
 * Exit codes: 0 no findings, 1 findings, 2 usage or input errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Analyzer,
  GrammarError,
  loadGrammar,
  unpinnedAllowedByEnv,
  type GrammarSource,
  mergeSettings,
  parseSettings,
  readWorkspaceFile,
  defaultSettings,
  type Settings,
} from './engine';
import { CONFIDENCE_LEVELS, type Confidence, type Finding, type Incomplete, atLeast } from './engine/model';
import { toPosix, walkC } from './tree/files';
import { type IndexOptions, checkTree } from './cli/tree';
import { findTreeRoot, treeFiles } from './tree/files';
import { findingsFor } from './engine';
import { type BuildTimings, buildTree } from './tree/build';
import { defaultCacheDir } from './tree/cache';
import { callGraph, toDot, toMarkdown, toSvg } from './report/callgraph';
import { lockOrderDot, lockOrderGraph, lockOrderMarkdown } from './report/lockgraph';
import { startServer } from './server';
import { BASELINE_FILE, Baseline } from './engine/checks';
import { type RunStats, VERSION, formatJson, formatSarif, formatText, incompleteText } from './cli/format';

const USAGE = [
  'usage: lockscope check <dir|file...> [--format text|json|sarif] [--exit-zero] [--config FILE] ' +
    '[--grammars DIR [--allow-unpinned-grammar]]',
  '                       [--root DIR | --per-file] [--no-color] [--baseline FILE | --no-baseline] ' +
    '[--write-baseline FILE]',
  '                       [--confidence high|medium|low] [--jobs N] [--cache-dir DIR | --no-cache] [--timings]',
  '                       [--no-builtin-forbidden]',
  '       lockscope report <function|file:function> [--depth N] [--format md|dot|svg] [--root DIR] [--jobs N] ' +
    '[--cache-dir DIR | --no-cache]',
  '       lockscope report --lock-order [--cycles] [--class TEXT]... [--format md|dot|svg] [--root DIR]',
  '  --jobs N        extraction workers (default: one per core; 0: on the main thread)',
  '  --cache-dir DIR the on-disk cache (default: $LOCKSCOPE_CACHE_DIR, else $XDG_CACHE_HOME/lockscope ' +
    'or ~/.cache/lockscope)',
  '       lockscope lsp [--stdio] [--grammars DIR [--allow-unpinned-grammar]]',
  '       lockscope --version',
  '  --grammars DIR  the folder holding tree-sitter-c.wasm and web-tree-sitter.wasm ' +
    '(default: $LOCKSCOPE_GRAMMARS, else the',
  '                  bundled ones); files other than the bundled ones (by SHA-256) load only with ' +
    '--allow-unpinned-grammar',
  "                  or LOCKSCOPE_ALLOW_UNPINNED_GRAMMAR=1. A tree's .lockscope.json never names code to load.",
].join('\n');

class UsageError extends Error {}

interface CheckArgs {
  paths: string[];
  format: 'text' | 'json' | 'sarif';
  exitZero: boolean;
  config?: string;
  color: boolean;
  /** The kernel tree's root; found from the paths when not given. */
  root?: string;
  /** One file at a time, without indexing the tree. */
  perFile: boolean;
  /** Accepted findings to leave out (default: .lockscope-baseline.json in the tree root or the folder given). */
  baseline?: string;
  noBaseline: boolean;
  /** Write every finding to this baseline file instead of reporting. */
  writeBaseline?: string;
  index: IndexArgs;
  /** Print where the time went (read, extract, analyse) to stderr. */
  timings: boolean;
  /** The least confidence shown (default: the `confidence` setting, high). */
  confidence?: Confidence;
  /** --no-builtin-forbidden: the builtinForbiddenCalls setting off for this run. */
  noBuiltinForbidden: boolean;
}

interface IndexArgs {
  jobs?: number;
  cacheDir?: string;
  noCache: boolean;
  /** The grammar folder the user named (--grammars), and --allow-unpinned-grammar. */
  grammars?: string;
  allowUnpinned?: boolean;
}

/**
 * --jobs, --cache-dir, --no-cache and the grammar flags, shared by check, report and lsp; true when `arg` was
 * one of them.
 */
function indexArg(arg: string, value: () => string, a: IndexArgs): boolean {
  if (arg === '--jobs' || arg.startsWith('--jobs=')) {
    const n = Number(value());
    if (!Number.isInteger(n) || n < 0 || n > 64) throw new UsageError('--jobs takes 0 to 64');
    a.jobs = n;
  } else if (arg === '--cache-dir' || arg.startsWith('--cache-dir=')) a.cacheDir = value();
  else if (arg === '--no-cache') a.noCache = true;
  else if (arg === '--grammars' || arg.startsWith('--grammars=')) a.grammars = value();
  else if (arg === '--allow-unpinned-grammar') a.allowUnpinned = true;
  else return false;
  if (a.cacheDir && a.noCache) throw new UsageError('--cache-dir and --no-cache together');
  return true;
}

/**
 * The grammar comes from the user only: --grammars, else $LOCKSCOPE_GRAMMARS or the package's own (never a
 * settings file).
 */
function grammarSource(a: IndexArgs): GrammarSource {
  return {
    dir: a.grammars ? path.resolve(a.grammars) : undefined,
    allowUnpinned: a.allowUnpinned || unpinnedAllowedByEnv(),
  };
}

function indexOptions(a: IndexArgs): IndexOptions {
  return {
    jobs: a.jobs,
    cacheDir: a.noCache ? undefined : path.resolve(a.cacheDir ?? defaultCacheDir()),
    grammar: grammarSource(a),
  };
}

function parseCheckArgs(argv: string[]): CheckArgs {
  const a: CheckArgs = {
    paths: [],
    format: 'text',
    exitZero: false,
    perFile: false,
    noBaseline: false,
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    index: { noCache: false },
    timings: false,
    noBuiltinForbidden: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`${arg.split('=')[0]} needs a value`);
      return v;
    };
    if (arg === '--format' || arg.startsWith('--format=')) {
      const f = value();
      if (f !== 'text' && f !== 'json' && f !== 'sarif')
        throw new UsageError(`unknown format "${f}" (text, json or sarif)`);
      a.format = f;
    } else if (arg === '--exit-zero') a.exitZero = true;
    else if (arg === '--no-color') a.color = false;
    else if (arg === '--config' || arg.startsWith('--config=')) a.config = value();
    else if (arg === '--root' || arg.startsWith('--root=')) a.root = value();
    else if (arg === '--per-file') a.perFile = true;
    else if (arg === '--baseline' || arg.startsWith('--baseline=')) a.baseline = value();
    else if (arg === '--no-baseline') a.noBaseline = true;
    else if (arg === '--write-baseline' || arg.startsWith('--write-baseline=')) a.writeBaseline = value();
    else if (arg === '--timings') a.timings = true;
    else if (arg === '--no-builtin-forbidden') a.noBuiltinForbidden = true;
    else if (arg === '--confidence' || arg.startsWith('--confidence=')) {
      const c = value();
      if (!(CONFIDENCE_LEVELS as readonly string[]).includes(c))
        throw new UsageError(`unknown confidence "${c}" (high, medium or low)`);
      a.confidence = c as Confidence;
    } else if (indexArg(arg, value, a.index)) continue;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else a.paths.push(arg);
  }
  if (!a.paths.length) throw new UsageError('check needs at least one file or directory');
  if (a.baseline && a.noBaseline) throw new UsageError('--baseline and --no-baseline together');
  return a;
}

function loadSettings(base: string, config: string | undefined, warn: (m: string) => void): Settings {
  let settings = defaultSettings();
  if (config) {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(config, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read config ${config}: ${(e as Error).message}`);
    }
    const r = parseSettings(raw, config);
    r.problems.forEach(warn);
    return r.settings;
  }
  const ws = readWorkspaceFile(base);
  ws.problems.forEach(warn);
  if (ws.settings) settings = mergeSettings(settings, ws.settings);
  return settings;
}

/**
 * Paths named on the command line must be regular files or directories: a FIFO would block the read
 * forever, a device or socket is no source; a symlink loop or a missing path is named as such.
 */
function checkInputs(paths: string[]): void {
  const problems: string[] = [];
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      problems.push(
        code === 'ELOOP'
          ? `${p}: a symlink loop`
          : code === 'ENOENT' || code === 'ENOTDIR'
            ? `${p}: no such file or directory`
            : `${p}: ${(e as Error).message}`,
      );
      continue;
    }
    if (!st.isFile() && !st.isDirectory())
      problems.push(
        `${p}: not a regular file or directory ` +
          `(${st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device'}); not read`,
      );
  }
  if (problems.length) throw new UsageError(problems.join('; '));
}

async function check(argv: string[]): Promise<number> {
  const args = parseCheckArgs(argv);
  const warn = (m: string) => process.stderr.write(`lockscope: ${m}\n`);
  checkInputs(args.paths);
  const dirs = args.paths.filter((p) => fs.statSync(p).isDirectory());
  const base = path.resolve(dirs.length === 1 && args.paths.length === 1 ? dirs[0] : '.');
  const settings = loadSettings(base, args.config, warn);
  if (args.noBuiltinForbidden) settings.builtinForbiddenCalls = false;
  const t0 = process.hrtime.bigint();
  const grammar = grammarSource(args.index);
  if (args.root && !fs.existsSync(path.join(args.root, 'include', 'linux')))
    throw new UsageError(`--root ${args.root} has no include/linux/`);
  const root = args.perFile ? undefined : args.root ? path.resolve(args.root) : findTreeRoot(args.paths[0]);
  if (root) return checkInTree(args, settings, grammar, root, base, warn);
  const analyzer = new Analyzer(await loadGrammar(grammar), { settings });
  // file names are printed relative to where lockscope runs, as gcc and sparse print them
  const { findings, stats, inputError } = checkEachFile(args.paths, analyzer, process.cwd(), warn);
  stats.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  stats.seconds = Math.round(stats.seconds * 1000) / 1000;
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return emit(args, findings, stats, inputError, [base], args.confidence ?? settings.confidence, process.cwd());
}

/** `check` inside a kernel tree: the whole tree is indexed, the findings in the paths given are reported. */
async function checkInTree(
  args: CheckArgs,
  settings: Settings,
  grammar: GrammarSource,
  root: string,
  base: string,
  warn: (m: string) => void,
): Promise<number> {
  // in a tree, its root's .lockscope.json applies too (the folder given may be deep inside)
  if (!args.config && root !== base) {
    const ws = readWorkspaceFile(root);
    ws.problems.forEach(warn);
    if (ws.settings) settings = mergeSettings(settings, ws.settings);
    if (args.noBuiltinForbidden) settings.builtinForbiddenCalls = false;
  }
  const progress = (m: string) => {
    if (args.format === 'text') process.stderr.write(`lockscope: ${m}\n`);
  };
  await loadGrammar(grammar); // a bad folder: one clear message here, not a worker's stack trace
  const run = await checkTree(
    settings,
    root,
    args.paths.map((p) => path.resolve(p)),
    process.cwd(),
    indexOptions(args.index),
    progress,
    warn,
  );
  if (args.timings) process.stderr.write(timingsLine(run.timings, run.stats.incomplete ?? []));
  return emit(
    args,
    run.findings,
    run.stats,
    run.inputError,
    [root, base],
    args.confidence ?? settings.confidence,
    root,
  );
}

/** The --timings line: where the time of a tree run went, and what budgets cut (listed above it, one a line). */
function timingsLine(t: BuildTimings, incomplete: readonly Incomplete[]): string {
  const cut = incomplete.filter((i) => i.part === 'summary').length;
  const stopped = incomplete.length - cut;
  return (
    `lockscope: timings: ${t.files} files, read+hash ${t.read.toFixed(2)} s, extract ${t.extract.toFixed(2)} s ` +
    `(${t.jobs} workers, ${t.cacheHits} cached, ${t.parsed} parsed), analyse ${t.analyse.toFixed(2)} s, ` +
    `total ${t.total.toFixed(2)} s${t.warm ? ' (warm: whole analysis from the cache)' : ''}; ` +
    `budgets: ${stopped} functions not analysed, ${cut} summaries cut\n`
  );
}

/**
 * `check --per-file` or outside a tree: each file (named, or found in a folder named) on its own. A
 * file named on the command line that is not checked makes it an input error.
 */
function checkEachFile(
  paths: string[],
  analyzer: Analyzer,
  base: string,
  warn: (m: string) => void,
): { findings: Finding[]; stats: RunStats; inputError: boolean } {
  const files: { abs: string; explicit: boolean }[] = [];
  for (const p of paths) {
    if (fs.statSync(p).isDirectory()) files.push(...walkC(p).map((f) => ({ abs: path.resolve(f), explicit: false })));
    else files.push({ abs: path.resolve(p), explicit: true });
  }
  const stats: RunStats = {
    files: 0,
    functions: 0,
    seconds: 0,
    functionsWithParseErrors: 0,
    lockSites: { found: 0, modelled: 0 },
    unmodelled: {},
    skipped: [],
  };
  const findings: Finding[] = [];
  let inputError = false;
  for (const { abs, explicit } of files) {
    const rel = toPosix(path.relative(base, abs)) || path.basename(abs);
    let text: string;
    try {
      text = fs.readFileSync(abs, 'utf8');
    } catch (e) {
      warn(`${rel}: cannot read (${(e as Error).message})`);
      stats.skipped.push({ file: rel, reason: 'unreadable' });
      if (explicit) inputError = true;
      continue;
    }
    let r;
    try {
      r = analyzer.analyzeText(text, rel);
    } catch (e) {
      warn(`${rel}: internal error while analysing, file skipped (${(e as Error).message})`);
      stats.skipped.push({ file: rel, reason: 'internal error' });
      if (explicit) inputError = true; // a file named on the command line and not checked is never exit 0
      continue;
    }
    if (r.error) {
      warn(`${rel}: ${r.error}`);
      stats.skipped.push({ file: rel, reason: r.error });
      if (explicit) inputError = true;
      continue;
    }
    stats.files++;
    stats.functions += r.stats.functions;
    stats.functionsWithParseErrors += r.stats.functionsWithParseErrors;
    stats.lockSites.found += r.stats.lockSitesFound;
    stats.lockSites.modelled += r.stats.lockSitesModelled;
    for (const [k, v] of Object.entries(r.stats.unmodelled)) stats.unmodelled[k] = (stats.unmodelled[k] ?? 0) + v;
    for (const i of r.stats.incomplete ?? []) {
      (stats.incomplete ??= []).push({ ...i, file: rel });
      if (explicit && i.part !== 'summary') inputError = true;
    }
    findings.push(...r.findings);
  }
  return { findings, stats, inputError };
}

/** The baseline to apply: --baseline, else .lockscope-baseline.json in the tree root or the folder given. */
function loadBaseline(args: CheckArgs, dirs: string[]): Baseline | undefined {
  if (args.noBaseline || args.writeBaseline) return undefined;
  const file = args.baseline ?? dirs.map((d) => path.join(d, BASELINE_FILE)).find((f) => fs.existsSync(f));
  if (!file) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read baseline ${file}: ${(e as Error).message}`);
  }
  try {
    return Baseline.parse(text, file);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function emit(
  args: CheckArgs,
  all: Finding[],
  stats: RunStats,
  inputError: boolean,
  dirs: string[],
  least: Confidence,
  srcRoot: string,
): number {
  if (args.writeBaseline) {
    fs.writeFileSync(args.writeBaseline, Baseline.format(all.map((f) => Baseline.entryOf(f))));
    process.stderr.write(
      `lockscope: wrote ${all.length} finding${all.length === 1 ? '' : 's'} to the baseline ${args.writeBaseline}\n`,
    );
    return inputError ? 2 : 0;
  }
  const baseline = loadBaseline(args, dirs);
  const { kept, baselined } = baseline ? baseline.filter(all) : { kept: all, baselined: 0 };
  if (baseline) stats.baselined = baselined;
  const findings = kept.filter((f) => atLeast(f.confidence, least));
  stats.confidence = {
    least,
    shown: countBy(findings),
    notShown: countBy(kept.filter((f) => !atLeast(f.confidence, least))),
  };
  const notShown = kept.length - findings.length;
  for (const i of stats.incomplete ?? [])
    process.stderr.write(`lockscope: ${i.file}:${i.line}: ${incompleteText(i)}\n`);
  if (args.format === 'json') process.stdout.write(formatJson(findings, stats));
  else if (args.format === 'sarif') {
    // SARIF's %SRCROOT% is the tree's root (a repository's checkout in CI), wherever lockscope ran
    const uriOf = (file: string) => toPosix(path.relative(srcRoot, path.resolve(file)));
    process.stdout.write(formatSarif(findings, stats, uriOf));
  } else {
    process.stdout.write(formatText(findings, args.color));
    if (baselined)
      process.stderr.write(`lockscope: ${baselined} finding${baselined === 1 ? '' : 's'} left out: in the baseline\n`);
    if (notShown) {
      const next = least === 'high' ? 'medium' : 'low';
      process.stderr.write(
        `lockscope: ${notShown} finding${notShown === 1 ? '' : 's'} of lower confidence not shown ` +
          `(--confidence ${next} shows ${notShown === 1 ? 'it' : 'them'})\n`,
      );
    }
    process.stderr.write(
      `lockscope: ${findings.length} finding${findings.length === 1 ? '' : 's'} in ${stats.files} files, ` +
        `${stats.functions} functions (${stats.functionsWithParseErrors} with parse errors), ` +
        `lock sites modelled ${stats.lockSites.modelled}/${stats.lockSites.found}, ${stats.seconds.toFixed(2)} s\n`,
    );
  }
  if (inputError) return 2;
  return findings.length && !args.exitZero ? 1 : 0;
}

/** Findings per confidence level. */
function countBy(fs: Finding[]): Partial<Record<Confidence, number>> {
  const out: Partial<Record<Confidence, number>> = {};
  for (const f of fs) out[f.confidence ?? 'high'] = (out[f.confidence ?? 'high'] ?? 0) + 1;
  return out;
}

/** `lockscope report`: the call graph below a function, with held locks and finding paths. */
async function reportCommand(argv: string[]): Promise<number> {
  let fn: string | undefined;
  let depth = 3;
  let format: 'md' | 'dot' | 'svg' = 'md';
  let rootArg: string | undefined;
  let lockOrder = false;
  let cyclesOnly = false;
  const classFilter: string[] = [];
  const idx: IndexArgs = { noCache: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--lock-order') lockOrder = true;
    else if (a === '--cycles') cyclesOnly = true;
    else if (a === '--class') {
      const c = argv[++i];
      if (!c) throw new UsageError('--class takes a text to look for in class names');
      classFilter.push(c);
    } else if (a === '--depth') {
      depth = Number(argv[++i]);
      if (!Number.isInteger(depth) || depth < 1 || depth > 12) throw new UsageError('--depth takes 1 to 12');
    } else if (a === '--format') {
      const f = argv[++i];
      if (f !== 'md' && f !== 'dot' && f !== 'svg') throw new UsageError(`unknown format "${f}" (md, dot or svg)`);
      format = f;
    } else if (a === '--root') rootArg = argv[++i];
    else if (
      indexArg(
        a,
        () => {
          const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
          if (v === undefined) throw new UsageError(`${a} needs a value`);
          return v;
        },
        idx,
      )
    )
      continue;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (!fn) fn = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (!fn && !lockOrder) throw new UsageError('report needs a function name, or --lock-order');
  if (fn && lockOrder) throw new UsageError('report takes a function name or --lock-order, not both');
  if (!lockOrder && (cyclesOnly || classFilter.length))
    throw new UsageError('--cycles and --class go with --lock-order');
  const root = rootArg ? path.resolve(rootArg) : findTreeRoot('.');
  if (!root || !fs.existsSync(path.join(root, 'include', 'linux')))
    throw new UsageError(
      'report needs a kernel tree: run it inside one, or give --root DIR (a folder with include/linux/)',
    );
  const warn = (m: string) => process.stderr.write(`lockscope: ${m}\n`);
  const settings = loadSettings(root, undefined, warn);
  const o = indexOptions(idx);
  await loadGrammar(o.grammar); // a bad grammar folder: one clear message here, not in a worker
  const { analysis } = await buildTree({
    root,
    files: treeFiles(root, settings),
    settings,
    jobs: o.jobs,
    cacheDir: o.cacheDir,
    grammar: o.grammar,
    warn,
  });
  const { index } = analysis;
  const { findings } = findingsFor(analysis, settings, () => true);
  if (lockOrder) {
    const g = lockOrderGraph(index.order ?? [], { cyclesOnly, classFilter });
    const dot = lockOrderDot(g);
    process.stdout.write(format === 'dot' ? dot : format === 'svg' ? await toSvg(dot) : lockOrderMarkdown(g));
    return 0;
  }
  const graph = callGraph(index, findings, fn!, depth);
  if (!graph) throw new UsageError(`no function ${fn} in the tree under ${root}`);
  const dot = toDot(graph);
  process.stdout.write(format === 'dot' ? dot : format === 'svg' ? await toSvg(dot) : toMarkdown(graph));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === '--version' || cmd === '-V') {
      process.stdout.write(`lockscope ${VERSION}\n`);
      return 0;
    }
    if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (cmd === 'check') return await check(rest);
    if (cmd === 'report') return await reportCommand(rest);
    if (cmd === 'lsp') {
      const idx: IndexArgs = { noCache: false };
      for (let i = 0; i < rest.length; i++) {
        const a = rest[i];
        const value = (): string => {
          const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : rest[++i];
          if (v === undefined) throw new UsageError(`${a.split('=')[0]} needs a value`);
          return v;
        };
        // --stdio, --node-ipc, --socket=N and --clientProcessId=N are the transport's
        // (vscode-languageserver reads them)
        if (/^--(stdio|node-ipc|socket=\d+|pipe=.+|clientProcessId=\d+)$/.test(a)) continue;
        if (!indexArg(a, value, idx) || idx.jobs !== undefined || idx.cacheDir || idx.noCache)
          throw new UsageError(`lsp: unknown option ${a}`);
      }
      startServer({ grammar: grammarSource(idx) });
      return -1; // keep running
    }
    throw new UsageError(cmd ? `unknown command "${cmd}"` : 'no command given');
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`lockscope: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof GrammarError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`lockscope: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
