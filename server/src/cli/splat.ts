/**
 * `lockscope splat FILE`: a kernel splat (lockdep report or hung-task trace) mapped onto the tree (splat/). The
 * splat is read and parsed before the tree is indexed, so a file that holds none costs nothing and says why.
 * The tree is indexed as `check` and `report` index it (same cache, same progress on stderr).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_INPUT, mapSplat, parseSplat, splatJson, splatText } from '../splat';
import { findTreeRoot, toPosix } from '../tree/files';
import { InputError, UsageError, commandHelp, flag, oneOf, parseCommand, str } from './args';
import { indexArgs } from './index-args';
import { indexTree } from './index-tree';

export async function splatCommand(argv: string[]): Promise<number> {
  const p = parseCommand('splat', argv);
  if (flag(p, 'help')) {
    process.stdout.write(commandHelp('splat'));
    return 0;
  }
  const format = oneOf(p, 'format', ['text', 'json'] as const) ?? 'text';
  const idx = indexArgs(p);
  if (!p.positionals.length) throw new UsageError('splat needs a file holding a lockdep report or hung-task trace');
  if (p.positionals.length > 1) throw new UsageError(`unexpected argument ${p.positionals[1]}`);
  const file = p.positionals[0];
  const text = readSplat(file);
  const parsed = parseSplat(text);
  if (!parsed.ok) throw new InputError(`${file}: ${parsed.message}`);
  const rootArg = str(p, 'root');
  const root = rootArg ? path.resolve(rootArg) : findTreeRoot('.');
  if (!root || !fs.existsSync(path.join(root, 'include', 'linux')))
    throw new UsageError(
      'splat needs a kernel tree: run it inside one, or give --root DIR (a folder with include/linux/)',
    );
  const warn = (m: string) => process.stderr.write(`lockscope: ${m}\n`);
  // every finding, whatever the confidence and the severity settings: a splat is evidence for a doubtful one too
  const { analysis, findings, orderOff } = await indexTree(root, idx, flag(p, 'quiet'), warn, true);
  const mapped = mapSplat(analysis.index, findings, parsed.splat);
  if (orderOff)
    for (const pr of mapped.predicted)
      if (pr.finding.kind === 'lock-order-inversion')
        pr.reasons.push('lock-order-inversion is off in the settings: `check` reports it with it on');
  // relative to where lockscope runs, as `check` prints, unless that climbs out of it
  const where = (f: string) => {
    const rel = toPosix(path.relative(process.cwd(), path.join(root, f)));
    return rel && !rel.startsWith('../') ? rel : path.join(root, f);
  };
  const out =
    format === 'json'
      ? splatJson(mapped, { warnings: parsed.warnings })
      : splatText(mapped, { input: file === '-' ? '<stdin>' : file, where, warnings: parsed.warnings });
  const output = str(p, 'output');
  if (output) fs.writeFileSync(output, out);
  else process.stdout.write(out);
  return mapped.predicted.length ? 0 : 1;
}

/** The splat's text: a regular file (or stdin), at most MAX_INPUT bytes. */
function readSplat(file: string): string {
  if (file === '-') {
    const buf = fs.readFileSync(0);
    if (buf.length > MAX_INPUT) throw new InputError(`<stdin>: more than ${MAX_INPUT} bytes; not a splat`);
    return buf.toString('utf8');
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${file}: no such file` : `${file}: ${(e as Error).message}`);
  }
  if (!st.isFile()) throw new InputError(`${file}: not a regular file; not read`);
  if (st.size > MAX_INPUT) throw new InputError(`${file}: ${st.size} bytes; a splat is read from at most ${MAX_INPUT}`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as Error).message})`);
  }
}
