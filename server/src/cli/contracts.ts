/**
 * `lockscope contracts`: the lock contracts lockscope infers for the functions in the paths given, written out
 * as a unified diff (or JSON) that adds `__must_hold()` / `__acquires()` / `__releases()` after each definition's
 * parameter list and `lockdep_assert_held()` first in its body, so sparse, Clang's context analysis and lockdep
 * check them from then on. Inside a kernel tree the tree is indexed as `check` indexes it (callees in other files
 * count). It never writes to a source: the user reads the diff and applies it (`git apply`, `patch -p1`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analyzer, TreeView, defaultSettings, loadGrammar, mergeSettings, readWorkspaceFile } from '../engine';
import { type ContractInput, type FunctionContract, fileContracts, lockKinds } from '../engine/contracts';
import { findTreeRoot, toPosix, walkC } from '../tree/files';
import { UsageError, commandHelp, flag, oneOf, parseCommand, str } from './args';
import { type IndexArgs, applyKconfig, grammarSource, indexArgs } from './index-args';
import { buildIndexed, treeSettings } from './index-tree';
import { filesToIndex } from './tree';
import { unifiedDiff } from './udiff';

interface ContractsArgs {
  paths: string[];
  format: 'diff' | 'json';
  root?: string;
  perFile: boolean;
  verbose: boolean;
  quiet: boolean;
  output?: string;
  index: IndexArgs;
}

/** One file's contracts: its path as the diff names it, its text, and each function's contract. */
interface FileOut {
  file: string;
  text: string;
  contracts: FunctionContract[];
}

function contractsArgs(argv: string[]): ContractsArgs | undefined {
  const p = parseCommand('contracts', argv);
  if (flag(p, 'help')) return undefined;
  const a: ContractsArgs = {
    paths: p.positionals,
    format: oneOf(p, 'format', ['diff', 'json'] as const) ?? 'diff',
    root: str(p, 'root'),
    perFile: flag(p, 'per-file'),
    verbose: flag(p, 'verbose'),
    quiet: flag(p, 'quiet'),
    output: str(p, 'output'),
    index: indexArgs(p),
  };
  if (!a.paths.length) throw new UsageError('contracts needs at least one file or directory');
  if (a.root && a.perFile) throw new UsageError('--root and --per-file together');
  for (const x of a.paths) {
    const st = fs.statSync(x, { throwIfNoEntry: false });
    if (!st) throw new UsageError(`${x}: no such file or directory`);
    if (!st.isFile() && !st.isDirectory()) throw new UsageError(`${x}: not a regular file or directory; not read`);
  }
  if (a.root && !fs.existsSync(path.join(a.root, 'include', 'linux')))
    throw new UsageError(`--root ${a.root} has no include/linux/`);
  return a;
}

export async function contractsCommand(argv: string[]): Promise<number> {
  const a = contractsArgs(argv);
  if (!a) {
    process.stdout.write(commandHelp('contracts'));
    return 0;
  }
  const warn = (m: string) => process.stderr.write(`lockscope: ${m}\n`);
  const root = a.perFile ? undefined : a.root ? path.resolve(a.root) : findTreeRoot(a.paths[0]);
  const { files, inputError } = root ? await inTree(a, root, warn) : await eachFile(a, warn);
  const text =
    a.format === 'json'
      ? `${JSON.stringify(
          files.map((f) => ({ file: f.file, functions: jsonOf(f.contracts) })),
          null,
          2,
        )}\n`
      : files
          .map((f) =>
            unifiedDiff(
              f.file,
              f.text,
              f.contracts.flatMap((c) => c.edits),
            ),
          )
          .join('');
  if (a.output) fs.writeFileSync(a.output, text);
  else process.stdout.write(text);
  report(a, files);
  return inputError ? 2 : 0;
}

/** The functions that get something, with what; with --format json the ones left out too, with why. */
function jsonOf(contracts: FunctionContract[]) {
  return contracts
    .filter((c) => c.edits.length || c.skipped.length)
    .map((c) => ({
      function: c.name,
      line: c.line,
      annotations: c.annotations,
      assertions: c.assertions,
      skipped: c.skipped,
    }));
}

/** The count on stderr, and with --verbose every lock (or function) left out and why. */
function report(a: ContractsArgs, files: FileOut[]): void {
  if (a.quiet) return;
  let fns = 0;
  let added = 0;
  let skipped = 0;
  for (const f of files) {
    for (const c of f.contracts) {
      if (c.edits.length) fns++;
      added += c.annotations.length + c.assertions.length;
      if (c.skipped.length) skipped++;
      if (a.verbose)
        for (const s of c.skipped) process.stderr.write(`${f.file}:${c.line}: ${c.name}(): left out: ${s}\n`);
    }
  }
  const touched = files.filter((f) => f.contracts.some((c) => c.edits.length)).length;
  process.stderr.write(
    `lockscope: ${added} annotation${added === 1 ? '' : 's'} and assertion${added === 1 ? '' : 's'} for ${fns} ` +
      `function${fns === 1 ? '' : 's'} in ${touched} file${touched === 1 ? '' : 's'}; ${skipped} function` +
      `${skipped === 1 ? '' : 's'} with a contract left out${a.verbose ? '' : ' (--verbose says why)'}\n`,
  );
}

function readText(abs: string, shown: string, warn: (m: string) => void): string | undefined {
  try {
    return fs.readFileSync(abs, 'utf8');
  } catch (e) {
    warn(`${shown}: cannot read (${(e as Error).message})`);
    return undefined;
  }
}

/** Inside a kernel tree: the tree indexed, the contracts of the files under the paths given, named from its root. */
async function inTree(
  a: ContractsArgs,
  root: string,
  warn: (m: string) => void,
): Promise<{ files: FileOut[]; inputError: boolean }> {
  const { settings, o } = await treeSettings(root, a.index, warn);
  const targets = a.paths.map((p) => path.resolve(p));
  const { files, named } = filesToIndex(root, settings, targets);
  const analysis = await buildIndexed(root, [...files], settings, o, a.quiet, warn, (r) => named.has(r));
  const rels = targets.map((t) => toPosix(path.relative(root, t)));
  const isTarget = (f: string) => rels.some((t) => t === '' || f === t || f.startsWith(`${t}/`));
  let inputError = analysis.skipped.some((s) => rels.includes(s.file));
  const kinds = lockKinds(analysis.index.summaries);
  const byFile = new Map<string, ContractInput[]>();
  // functions stored in an ops table (of any file): methods, whose callers hold what their interface says
  const view = new TreeView(analysis.index);
  for (const f of analysis.index.fns) {
    if (!isTarget(f.file) || f.line === undefined || f.endLine === undefined) continue;
    const summary = analysis.index.summaries[f.id] ?? undefined;
    const list = byFile.get(f.file) ?? [];
    const method = view.methodOf(f.file, f.name);
    list.push({ name: f.name, line: f.line, endLine: f.endLine, summary, ...(method ? { method } : {}) });
    byFile.set(f.file, list);
  }
  const out: FileOut[] = [];
  for (const [file, fns] of [...byFile].sort((x, y) => x[0].localeCompare(y[0]))) {
    const notAnalysed = new Set(
      (analysis.fileStats.get(file)?.incomplete ?? []).filter((i) => i.part !== 'summary').map((i) => i.line),
    );
    const text = readText(path.join(root, file), file, warn);
    if (text === undefined) {
      inputError ||= rels.includes(file);
      continue;
    }
    const inputs = fns.map((f) => (notAnalysed.has(f.line) ? { ...f, hasParseErrors: true } : f));
    out.push({ file, text, contracts: fileContracts(text, inputs, kinds) });
  }
  return { files: out, inputError };
}

/** Outside a tree (or --per-file): each file on its own, named relative to the current directory. */
async function eachFile(
  a: ContractsArgs,
  warn: (m: string) => void,
): Promise<{ files: FileOut[]; inputError: boolean }> {
  const base = process.cwd();
  let settings = defaultSettings();
  const ws = readWorkspaceFile(base);
  ws.problems.forEach(warn);
  if (ws.settings) settings = mergeSettings(settings, ws.settings);
  settings = applyKconfig(settings, undefined, a.index, warn);
  const analyzer = new Analyzer(await loadGrammar(grammarSource(a.index)), { settings });
  const files: { abs: string; explicit: boolean }[] = [];
  for (const p of a.paths) {
    if (fs.statSync(p).isDirectory()) files.push(...walkC(p).map((f) => ({ abs: path.resolve(f), explicit: false })));
    else files.push({ abs: path.resolve(p), explicit: true });
  }
  const out: FileOut[] = [];
  let inputError = false;
  for (const { abs, explicit } of files) {
    const file = toPosix(path.relative(base, abs)) || path.basename(abs);
    const text = readText(abs, file, warn);
    let r;
    try {
      r = text === undefined ? undefined : analyzer.analyzeText(text, file);
    } catch (e) {
      warn(`${file}: internal error while analysing, file skipped (${(e as Error).message})`);
    }
    if (text === undefined || !r || r.error) {
      if (r?.error) warn(`${file}: ${r.error}`);
      inputError ||= explicit;
      continue;
    }
    const inputs = r.functions.map((f) => ({
      name: f.name,
      line: f.line,
      endLine: f.endLine,
      summary: r.summaries?.get(f.name),
      hasParseErrors: f.hasParseErrors,
    }));
    out.push({ file, text, contracts: fileContracts(text, inputs) });
  }
  return { files: out, inputError };
}
