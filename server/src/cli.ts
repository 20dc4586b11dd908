/**
 * The headless CLI, same engine as the server (options: cli/args.ts, `lockscope <command> --help`):
 *   lockscope check <dir|file...> [options]
 *   lockscope report <function|file:function> | --lock-order [options]
 *   lockscope splat <FILE|-> [options]
 *   lockscope contracts <dir|file...> [options]
 *   lockscope lsp [--stdio]
 * Exit codes: 0 no findings, 1 findings, 2 usage or input errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Analyzer,
  GrammarError,
  loadGrammar,
  type GrammarSource,
  mergeSettings,
  parseSettings,
  readWorkspaceFile,
  defaultSettings,
  type Settings,
} from './engine';
import { type Confidence, type Finding, type Incomplete, atLeast } from './engine/model';
import { toPosix, walkC } from './tree/files';
import { checkTree } from './cli/tree';
import { findTreeRoot } from './tree/files';
import { type BuildTimings } from './tree/build';
import { startServer } from './server';
import { BASELINE_FILE, Baseline } from './engine/checks';
import { type RunStats, VERSION, formatJson, formatSarif, formatText, incompleteText } from './cli/format';
import {
  CONFIDENCE,
  type Command,
  InputError,
  UsageError,
  commandHelp,
  flag,
  generalHelp,
  oneOf,
  parseCommand,
  shortUsage,
  str,
} from './cli/args';
import { Progress } from './cli/progress';
import { countKinds, summaryLines } from './cli/summary';
import { reportCommand } from './cli/report';
import { splatCommand } from './cli/splat';
import { contractsCommand } from './cli/contracts';
import { type IndexArgs, applyKconfig, grammarSource, indexArgs, indexOptions } from './cli/index-args';

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
  /** -o FILE: the findings go there instead of stdout. */
  output?: string;
  /** No progress, notes or summary on stderr. */
  quiet: boolean;
}

function parseCheckArgs(argv: string[]): CheckArgs | undefined {
  const p = parseCommand('check', argv);
  if (flag(p, 'help')) return undefined;
  try {
    const a: CheckArgs = {
      paths: p.positionals,
      format: oneOf(p, 'format', ['text', 'json', 'sarif'] as const) ?? 'text',
      exitZero: flag(p, 'exit-zero'),
      perFile: flag(p, 'per-file'),
      noBaseline: flag(p, 'no-baseline'),
      config: str(p, 'config'),
      root: str(p, 'root'),
      baseline: str(p, 'baseline'),
      writeBaseline: str(p, 'write-baseline'),
      output: str(p, 'output'),
      quiet: flag(p, 'quiet'),
      color: false,
      index: indexArgs(p),
      timings: flag(p, 'timings'),
      confidence: oneOf(p, 'confidence', CONFIDENCE),
      noBuiltinForbidden: flag(p, 'no-builtin-forbidden'),
    };
    a.color = !a.output && !flag(p, 'no-color') && process.stdout.isTTY === true && !process.env.NO_COLOR;
    if (!a.paths.length) throw new UsageError('check needs at least one file or directory');
    if (a.baseline && a.noBaseline) throw new UsageError('--baseline and --no-baseline together');
    return a;
  } catch (e) {
    throw e instanceof UsageError && !e.command ? new UsageError(e.message, 'check') : e;
  }
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
  if (!args) {
    process.stdout.write(commandHelp('check'));
    return 0;
  }
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
  const analyzer = new Analyzer(await loadGrammar(grammar), {
    settings: applyKconfig(settings, undefined, args.index, warn),
  });
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
  settings = applyKconfig(settings, root, args.index, warn);
  await loadGrammar(grammar); // a bad folder: one clear message here, not a worker's stack trace
  const progress = new Progress(process.stderr, { quiet: args.quiet, heartbeat: true });
  progress.start();
  let run;
  try {
    run = await checkTree(
      settings,
      root,
      args.paths.map((p) => path.resolve(p)),
      process.cwd(),
      indexOptions(args.index),
      progress,
      warn,
    );
  } finally {
    progress.stop();
  }
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
  const write = (text: string) => {
    if (args.output) fs.writeFileSync(args.output, text);
    else process.stdout.write(text);
  };
  const note = (m: string) => {
    if (!args.quiet) process.stderr.write(`lockscope: ${m}\n`);
  };
  if (args.writeBaseline) {
    fs.writeFileSync(args.writeBaseline, Baseline.format(all.map((f) => Baseline.entryOf(f))));
    note(`wrote ${all.length} finding${all.length === 1 ? '' : 's'} to the baseline ${args.writeBaseline}`);
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
  stats.kinds = countKinds(findings);
  if (args.format === 'json') write(formatJson(findings, stats));
  else if (args.format === 'sarif') {
    // SARIF's %SRCROOT% is the tree's root (a repository's checkout in CI), wherever lockscope ran
    const uriOf = (file: string) => toPosix(path.relative(srcRoot, path.resolve(file)));
    write(formatSarif(findings, stats, uriOf));
  } else {
    write(formatText(findings, args.color));
    if (baselined) note(`${baselined} finding${baselined === 1 ? '' : 's'} left out: in the baseline`);
    if (notShown) {
      const next = least === 'high' ? 'medium' : 'low';
      note(
        `${notShown} finding${notShown === 1 ? '' : 's'} of lower confidence not shown ` +
          `(--confidence ${next} shows ${notShown === 1 ? 'it' : 'them'})`,
      );
    }
    for (const l of summaryLines(findings, stats)) note(l);
  }
  if (args.output && !args.quiet)
    note(`wrote ${findings.length} finding${findings.length === 1 ? '' : 's'} to ${args.output}`);
  if (inputError) return 2;
  return findings.length && !args.exitZero ? 1 : 0;
}

/** Findings per confidence level. */
function countBy(fs: Finding[]): Partial<Record<Confidence, number>> {
  const out: Partial<Record<Confidence, number>> = {};
  for (const f of fs) out[f.confidence ?? 'high'] = (out[f.confidence ?? 'high'] ?? 0) + 1;
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === '--version' || cmd === '-V') {
      process.stdout.write(`lockscope ${VERSION}\n`);
      return 0;
    }
    if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
      const about = rest[0];
      process.stdout.write(isCommand(about) ? commandHelp(about) : generalHelp());
      return 0;
    }
    if (cmd === 'check') return await forCommand('check', () => check(rest));
    if (cmd === 'report') return await forCommand('report', () => reportCommand(rest));
    if (cmd === 'splat') return await forCommand('splat', () => splatCommand(rest));
    if (cmd === 'contracts') return await forCommand('contracts', () => contractsCommand(rest));
    if (cmd === 'lsp') return lsp(rest);
    throw new UsageError(cmd ? `unknown command "${cmd}"` : 'no command given');
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`lockscope: ${e.message}\n${shortUsage(e.command)}\n`);
      return 2;
    }
    if (e instanceof InputError) {
      process.stderr.write(`lockscope: ${e.message}\n`);
      return 2;
    }
    if (e instanceof GrammarError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/** A usage error inside a command is followed by that command's usage. */
async function forCommand(command: Command, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    throw e instanceof UsageError && !e.command ? new UsageError(e.message, command) : e;
  }
}

function isCommand(c: string | undefined): c is Command {
  return c === 'check' || c === 'report' || c === 'splat' || c === 'contracts' || c === 'lsp';
}

/** `lockscope lsp`: the transport options are vscode-languageserver's (it reads them from process.argv). */
function lsp(argv: string[]): number {
  const p = parseCommand('lsp', argv);
  if (flag(p, 'help')) {
    process.stdout.write(commandHelp('lsp'));
    return 0;
  }
  if (p.positionals.length) throw new UsageError(`lsp: unexpected argument ${p.positionals[0]}`, 'lsp');
  const idx: IndexArgs = {
    noCache: false,
    grammars: str(p, 'grammars'),
    allowUnpinned: flag(p, 'allow-unpinned-grammar'),
  };
  startServer({ grammar: grammarSource(idx) });
  return -1; // keep running
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
