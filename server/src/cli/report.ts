/**
 * `lockscope report`: the call graph below a function, with held locks and finding paths, or the tree's
 * lock-order graph. The tree is indexed as `check` indexes it (same cache, same progress on stderr); a
 * function that is not in the tree gets the closest names the index has.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CallGraphOptions, callGraph, toDot, toMarkdown, toSvg } from '../report/callgraph';
import { lockOrderDot, lockOrderGraph, lockOrderMarkdown } from '../report/lockgraph';
import { documentedOrdersMarkdown } from '../report/docorders';
import { findTreeRoot } from '../tree/files';
import type { TreeIndex } from '../engine';
import { InputError, UsageError, closest, commandHelp, flag, oneOf, parseCommand, str } from './args';
import { indexArgs } from './index-args';
import { indexTree } from './index-tree';
import { treeReader } from '../report/source';

export async function reportCommand(argv: string[]): Promise<number> {
  const p = parseCommand('report', argv);
  if (flag(p, 'help')) {
    process.stdout.write(commandHelp('report'));
    return 0;
  }
  const { format, depth, idx, lockOrder, documented, cyclesOnly, classFilter, fn } = reportArgs(p);
  const usage = (m: string) => new UsageError(m, 'report');
  const rootArg = str(p, 'root');
  const root = rootArg ? path.resolve(rootArg) : findTreeRoot('.');
  if (!root || !fs.existsSync(path.join(root, 'include', 'linux')))
    throw usage('report needs a kernel tree: run it inside one, or give --root DIR (a folder with include/linux/)');
  const graphOpts = graphOptions(p, root);
  const output = str(p, 'output');
  const write = (text: string) => {
    if (output) fs.writeFileSync(output, text);
    else process.stdout.write(text);
  };
  const warn = (m: string) => process.stderr.write(`lockscope: ${m}\n`);
  const { analysis, findings } = await indexTree(root, idx, flag(p, 'quiet'), warn);
  const { index } = analysis;
  if (documented) {
    write(documentedOrdersMarkdown(index.order ?? []));
    return 0;
  }
  if (lockOrder) {
    const g = lockOrderGraph(index.order ?? [], { cyclesOnly, classFilter });
    const dot = lockOrderDot(g);
    write(format === 'dot' ? dot : format === 'svg' ? await toSvg(dot) : lockOrderMarkdown(g));
    return 0;
  }
  const graph = callGraph(index, findings, fn, depth, graphOpts);
  if (!graph) throw new InputError(notFound(index, fn, root));
  const dot = toDot(graph);
  write(format === 'dot' ? dot : format === 'svg' ? await toSvg(dot) : toMarkdown(graph));
  return 0;
}

/** The report command's own arguments, checked (a usage error names what is wrong). */
function reportArgs(p: ReturnType<typeof parseCommand>) {
  const usage = (m: string) => new UsageError(m, 'report');
  let format: 'md' | 'dot' | 'svg';
  let depth = 3;
  let idx;
  try {
    format = oneOf(p, 'format', ['md', 'dot', 'svg'] as const) ?? 'md';
    idx = indexArgs(p);
  } catch (e) {
    throw e instanceof UsageError ? usage(e.message) : e;
  }
  const d = str(p, 'depth');
  if (d !== undefined) {
    depth = Number(d);
    if (!Number.isInteger(depth) || depth < 1 || depth > 12) throw usage('--depth takes 1 to 12');
  }
  const lockOrder = flag(p, 'lock-order');
  const documented = flag(p, 'documented-orders');
  const cyclesOnly = flag(p, 'cycles');
  const classFilter = (p.values.class as string[] | undefined) ?? [];
  if (classFilter.some((c) => !c)) throw usage('--class takes a text to look for in class names');
  if (p.positionals.length > 1) throw usage(`unexpected argument ${p.positionals[1]}`);
  const fn = p.positionals[0];
  if ([!!fn, lockOrder, documented].filter(Boolean).length > 1)
    throw usage('report takes one of a function name, --lock-order and --documented-orders');
  if (!fn && !lockOrder && !documented) throw usage('report needs a function name, or --lock-order');
  if (!lockOrder && (cyclesOnly || classFilter.length)) throw usage('--cycles and --class go with --lock-order');
  if (documented && format !== 'md') throw usage('--documented-orders writes Markdown only');
  return { format, depth, idx, lockOrder, documented, cyclesOnly, classFilter, fn };
}

/** What a call graph draws beyond the default (fold.ts, debugonly.ts), and the tree it reads sources from. */
function graphOptions(p: ReturnType<typeof parseCommand>, root: string): CallGraphOptions {
  if (flag(p, 'lock-order') && (flag(p, 'all-calls') || flag(p, 'all-locks')))
    throw new UsageError('--all-calls and --all-locks go with a call graph, not --lock-order', 'report');
  return { read: treeReader(root), allCalls: flag(p, 'all-calls'), allLocks: flag(p, 'all-locks') };
}

/** "no function X in the tree", with the closest names the index has (`file:function` as given). */
export function notFound(index: TreeIndex, given: string, root: string): string {
  const [file, name] = given.includes(':') ? given.split(':') : [undefined, given];
  const inFile = file ? index.fns.filter((f) => f.file === file) : [];
  if (file && !inFile.length) {
    const near = closest(
      file,
      index.fns.map((f) => f.file),
    );
    return `no file ${file} in the index of ${root}${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`;
  }
  const near = closest(
    name,
    (file ? inFile : index.fns).map((f) => f.name),
  );
  const where = file ? `in ${file}` : `in the tree under ${root}`;
  return `no function ${name} ${where}${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`;
}
