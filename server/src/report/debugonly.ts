/**
 * Debug-only code, for the reports to leave out by default (`--all-locks` shows it): kmemleak's lock, kunit's,
 * KASAN's `report_lock` are never taken in a kernel built for use, and in a graph of a filesystem they are noise.
 *
 * The rule, by mechanism rather than by a list of names:
 * - A Kconfig symbol is a debug symbol when it is declared in `lib/Kconfig.debug` or a Kconfig file that one
 *   sources (transitively: `mm/Kconfig.debug`, `lib/Kconfig.kasan`, `lib/kunit/Kconfig`, ... — the kernel keeps
 *   its "Kernel hacking" menu there), or in a subsystem's own `Kconfig.debug`; when its name has DEBUG as a word
 *   (the kernel's convention for a subsystem's debug option declared with the rest: `BTRFS_DEBUG`, `XFS_DEBUG`);
 *   or when it `depends on` a debug symbol (`EXT4_KUNIT_TESTS` depends on `KUNIT`).
 * - A file is debug-only when the build links it only under a debug symbol: its object is listed only as
 *   `obj-$(CONFIG_DEBUG_X)`, or a directory above it is entered only that way (`obj-$(CONFIG_KASAN) += kasan/`).
 * - A place in a file is debug-only when the file is, or the place is inside `#ifdef CONFIG_X`,
 *   `#if defined(CONFIG_X)` or `#if IS_ENABLED(CONFIG_X)` (possibly `&&` other tests) with X a debug symbol.
 * - A lock (class) is debug-only when every place the tree's index has it taken is debug-only.
 * A tree without `lib/` (an extract of fs/, mm/ and include/) knows only the last three kinds: kmemleak (declared
 * in mm/Kconfig.debug) is found, KASAN (declared in lib/Kconfig.kasan) is not.
 */
import { parseKbuild, type KbuildDir } from '../engine/link';
import type { TreeIndex } from '../engine';
import type { TreeReader } from './source';

const dirname = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '.');
const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);
/**
 * The symbols an expression (`depends on`, `#if`) requires: its `&&` conjuncts that are plain (not negated)
 * names, `defined(CONFIG_X)` or `IS_ENABLED(CONFIG_X)`; `config` marks the ones spelled with CONFIG_.
 */
const required = (expr: string) =>
  expr
    .split('&&')
    .map((c) => c.trim().replace(/^\(+(?=\w)|(?<=\w)\)+$/g, ''))
    .map((c) => /^(?:(?:defined|IS_ENABLED|IS_BUILTIN)\s*\(?\s*)?(CONFIG_)?([A-Za-z_][A-Za-z0-9_]*)\s*\)?$/.exec(c))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ config: !!m[1], name: m[2] }));

export class DebugOnly {
  /** Declared in the Kconfig.debug tree. */
  private readonly declared = new Set<string>();
  private readonly verdicts = new Map<string, boolean>();
  private readonly kbuild = new Map<string, KbuildDir | null>();
  private readonly depends = new Map<string, { deps: Map<string, string[]>; debug: Set<string> }>();
  private readonly files = new Map<string, boolean>();

  constructor(private readonly read: TreeReader) {
    const queue = ['lib/Kconfig.debug'];
    const seen = new Set(queue);
    while (queue.length) {
      const text = read(queue.shift()!);
      if (text === undefined) continue;
      for (const line of text.split('\n')) {
        const c = /^\s*(?:menu)?config\s+([A-Za-z0-9_]+)\s*$/.exec(line);
        if (c) this.declared.add(c[1]);
        const s = /^\s*(?:o|r)?source\s+"([^"$]+)"/.exec(line);
        if (s && !seen.has(s[1]) && seen.size < 200) {
          seen.add(s[1]);
          queue.push(s[1]);
        }
      }
    }
  }

  /** `sym` (without CONFIG_) is a debug symbol; `dir` is where it is used (its Kconfig is looked for there and up). */
  symbol(sym: string, dir = '.', depth = 0): boolean {
    if (this.declared.has(sym) || /(?:^|_)DEBUG(?:_|$)/.test(sym)) return true;
    if (depth > 4 || sym === 'y' || sym === 'm') return false;
    const key = `${dir}\0${sym}`;
    const known = this.verdicts.get(key);
    if (known !== undefined) return known;
    this.verdicts.set(key, false); // a cycle is not debug
    let verdict = false;
    for (let d = dir; ; d = dirname(d)) {
      if (this.kconfigDepends(d).debug.has(sym)) {
        verdict = true;
        break;
      }
      const deps = this.kconfigDepends(d).deps.get(sym);
      if (deps) {
        verdict = deps.some((e) => required(e).some((s) => this.symbol(s.name, d, depth + 1)));
        break;
      }
      if (d === '.') break;
    }
    this.verdicts.set(key, verdict);
    return verdict;
  }

  /** The `depends on` expressions of the symbols the Kconfig files of `dir` declare, and those of its Kconfig.debug. */
  private kconfigDepends(dir: string): { deps: Map<string, string[]>; debug: Set<string> } {
    let known = this.depends.get(dir);
    if (known) return known;
    const out = new Map<string, string[]>();
    const debug = new Set<string>();
    for (const name of ['Kconfig', 'Kconfig.debug']) {
      const text = this.read(dir === '.' ? name : `${dir}/${name}`);
      if (text === undefined) continue;
      let current: string | undefined;
      for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
        const c = /^\s*(?:menu)?config\s+([A-Za-z0-9_]+)\s*$/.exec(line);
        if (c) {
          current = c[1];
          if (!out.has(current)) out.set(current, []);
          if (name === 'Kconfig.debug') debug.add(current);
          continue;
        }
        const d = /^\s*depends\s+on\s+(.*)$/.exec(line);
        if (d && current) out.get(current)!.push(d[1].replace(/#.*$/, ''));
        else if (/^\S/.test(line) && !/^\s*$/.test(line)) current = undefined;
      }
    }
    known = { deps: out, debug };
    this.depends.set(dir, known);
    return known;
  }

  private build(dir: string): KbuildDir | null {
    let k = this.kbuild.get(dir);
    if (k !== undefined) return k;
    const text =
      this.read(dir === '.' ? 'Kbuild' : `${dir}/Kbuild`) ?? this.read(dir === '.' ? 'Makefile' : `${dir}/Makefile`);
    k = text === undefined ? null : parseKbuild(text);
    this.kbuild.set(dir, k);
    return k;
  }

  /** Every way `entries` link `name` needs a debug symbol (false when none names it: not ours to judge). */
  private onlyDebug(entries: { cond: string }[], dir: string): boolean {
    return entries.length > 0 && entries.every((e) => this.symbol(e.cond, dir));
  }

  /** The build links `file` only under a debug symbol. */
  file(file: string): boolean {
    const hit = this.files.get(file);
    if (hit !== undefined) return hit;
    let verdict = false;
    const dir = dirname(file);
    const k = this.build(dir);
    if (k && file.endsWith('.c')) {
      const obj = `${basename(file).replace(/\.c$/, '')}.o`;
      const owners = [...k.parts].filter(([, parts]) => parts.includes(obj)).map(([base]) => `${base}.o`);
      verdict = this.onlyDebug(
        k.objects.filter((o) => o.path === obj || owners.includes(o.path)),
        dir,
      );
    }
    // a directory entered only under a debug symbol
    for (let d = dir; !verdict && d !== '.'; d = dirname(d)) {
      const parent = dirname(d);
      const pk = this.build(parent);
      if (pk)
        verdict = this.onlyDebug(
          pk.subdirs.filter((s) => s.path === basename(d)),
          parent,
        );
    }
    this.files.set(file, verdict);
    return verdict;
  }

  /** Line `line` (1-based) of `file` is only compiled with a debug symbol set. */
  place(file: string, line: number): boolean {
    if (this.file(file)) return true;
    const text = this.read(file);
    if (text === undefined) return false;
    const lines = text.split('\n');
    // the preprocessor conditions open at `line`: each says whether its arm needs a debug symbol
    const open: boolean[] = [];
    for (let i = 0; i < Math.min(line - 1, lines.length); i++) {
      const m = /^\s*#\s*(ifdef|ifndef|if|elif|else|endif)\b\s*(.*)$/.exec(lines[i]);
      if (!m) continue;
      const dir = dirname(file);
      const cond = m[2].replace(/\/\*.*?\*\/|\/\/.*$/g, '').trim();
      if (m[1] === 'ifdef') open.push(/^CONFIG_/.test(cond) && this.symbol(cond.slice(7), dir));
      else if (m[1] === 'ifndef') open.push(false);
      else if (m[1] === 'if') open.push(required(cond).some((s) => s.config && this.symbol(s.name, dir)));
      else if (m[1] === 'endif') open.pop();
      else if (open.length) open[open.length - 1] = false; // #else/#elif: not the debug arm
    }
    return open.some(Boolean);
  }
}

/** The index's places where each lock (by class, or its text where it has none) is taken. */
export function lockSites(
  index: TreeIndex,
  wanted: ReadonlySet<string>,
): Map<string, { file: string; line: number }[]> {
  const out = new Map<string, Map<string, { file: string; line: number }>>();
  for (const s of index.summaries) {
    for (const a of s?.acquires ?? []) {
      const at = a.witness[a.witness.length - 1];
      if (!at) continue;
      for (const key of new Set([a.ref.class ?? a.ref.display, a.ref.display])) {
        if (!wanted.has(key)) continue;
        const m = out.get(key) ?? new Map<string, { file: string; line: number }>();
        m.set(`${at.file}:${at.line}`, { file: at.file, line: at.line });
        out.set(key, m);
      }
    }
  }
  return new Map([...out].map(([k, m]) => [k, [...m.values()]]));
}

/** The locks among `names` that are debug-only in the tree (every place the index has them taken is). */
export function debugOnlyLocks(index: TreeIndex, debug: DebugOnly, names: Iterable<string>): Set<string> {
  const hidden = new Set<string>();
  const wanted = new Set(names);
  const sites = lockSites(index, wanted);
  for (const n of wanted) {
    const at = sites.get(n);
    if (at?.length && at.every((p) => debug.place(p.file, p.line))) hidden.add(n);
  }
  return hidden;
}
