/**
 * How the kernel's build links a tree's C files, read from its Kbuild files (read-only, text in, plain data
 * out): which object each file is part of (`obj-$(CONFIG_EXT4_FS) += ext4.o` with `ext4-y := balloc.o ...`
 * makes fs/ext4/*.c one unit, fs/ext4/ext4.o), whether that unit can be a loadable module (its Kconfig
 * symbol is a tristate, or it is listed under obj-m), and which files no object names (host programs,
 * files built only by hand: not part of the kernel). The linker resolves a call to a global function in
 * the caller's own unit first (two filesystems may each define one of the same name), see linker.ts.
 *
 * Every configuration at once: assignments under `ifdef`/`ifeq` all count, so a file belongs to the
 * union of what any configuration links. A C file no build file names, in a directory with one or below
 * one, is not built (kbuild compiles only what they name). Where no build file governs (a tree without
 * them), a file is a unit of its directory, built in.
 */

/** What the build says of one C file. */
export interface BuildUnit {
  /** The object it is linked into (`fs/ext4/ext4.o`), or its directory (`fs/foo/`) without a build file. */
  unit: string;
  /** The object can be built as a loadable module (then only its exported symbols link from outside). */
  module?: boolean;
  /** No object of its directory's build file names it: not part of the kernel as built. */
  unbuilt?: boolean;
}

/** One directory's build file, as parsed. */
export interface KbuildDir {
  /** Objects listed for linking (`obj-y`, `obj-m`, `obj-$(CONFIG_X)`, `lib-y`), with their conditions. */
  objects: { path: string; cond: string }[];
  /** Subdirectories descended into (`obj-$(CONFIG_X) += ext4/`), with their conditions. */
  subdirs: { path: string; cond: string }[];
  /** Composite objects' parts, by object name (`ext4` -> `balloc.o`, ...). */
  parts: Map<string, string[]>;
  /** The parts' conditions (`ext4-$(CONFIG_EXT4_FS_POSIX_ACL) += acl.o`), by object name then part. */
  partConds?: Map<string, Map<string, string[]>>;
}

/** A condition: `y`, `m`, or a Kconfig symbol (`EXT4_FS`). */
function condOf(suffix: string): string | undefined {
  if (suffix === 'y' || suffix === 'm') return suffix;
  const m = /^\$\(CONFIG_([A-Za-z0-9_]+)\)$/.exec(suffix);
  return m ? m[1] : undefined;
}

/** Logical lines: continuations joined, comments dropped. */
function logicalLines(text: string): string[] {
  const joined = text.replace(/\r\n?/g, '\n').replace(/\\\n/g, ' ');
  return joined.split('\n').map((l) => l.replace(/(^|[^\\$])#.*$/, '$1'));
}

/** Split on whitespace outside `$(...)`. */
function words(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    if (depth === 0 && /\s/.test(c)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

/** Split a function's arguments on commas outside `$(...)`. */
function args(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (depth === 0 && c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * The variables `$(name)` reads in some configuration: `$(mmu-y)` is `mmu-y` and, where CONFIG_MMU=y,
 * what `mmu-$(CONFIG_MMU)` was given.
 */
function refersTo(name: string, vars: ReadonlyMap<string, string[]>): string[] {
  if (!name.endsWith('-y')) return [name];
  const stem = name.slice(0, -1);
  return [...vars.keys()].filter(
    (k) => k === name || (k.startsWith(stem) && /^\$\(CONFIG_\w+\)$/.test(k.slice(stem.length))),
  );
}

/**
 * The words a value stands for: `$(var)` through the file's own variables (every value any assignment
 * gave it, see `refersTo`), `$(addprefix p,list)`; any other function or unknown variable stands for nothing.
 */
function expand(value: string, vars: ReadonlyMap<string, string[]>, depth = 0): string[] {
  if (depth > 8) return [];
  const out: string[] = [];
  for (const w of words(value)) {
    if (!w.includes('$')) {
      out.push(w);
      continue;
    }
    const ref = /^\$\(([A-Za-z0-9_.-]+)\)$/.exec(w);
    if (ref) {
      for (const name of refersTo(ref[1], vars))
        for (const v of vars.get(name) ?? []) out.push(...expand(v, vars, depth + 1));
      continue;
    }
    const fn = /^\$\(addprefix\s+([\s\S]*)\)$/.exec(w);
    if (fn) {
      const [prefix, list] = args(fn[1]);
      if (list === undefined) continue;
      const p = expand(prefix.trim(), vars, depth + 1).join('');
      for (const x of expand(list, vars, depth + 1)) out.push(p + x);
    }
  }
  return out;
}

/** Parse one directory's Kbuild file (or Makefile). */
export function parseKbuild(text: string): KbuildDir {
  const vars = new Map<string, string[]>();
  const assign = /^\s*([A-Za-z0-9_.\-/]*(?:\$\([A-Za-z0-9_]+\))?)\s*(?::=|\+=|\?=|=)\s*(.*)$/;
  for (const line of logicalLines(text)) {
    if (/^\t/.test(line) && !assign.test(line.trim())) continue; // a recipe
    const m = assign.exec(line);
    if (!m || !m[1]) continue;
    const list = vars.get(m[1]) ?? [];
    list.push(m[2]);
    vars.set(m[1], list);
  }
  const dir: KbuildDir = { objects: [], subdirs: [], parts: new Map(), partConds: new Map() };
  for (const [name, values] of vars) {
    const m = /^(obj|lib)-(.+)$/.exec(name);
    const cond = m && condOf(m[2]);
    if (!cond) continue;
    for (const v of values)
      for (const w of expand(v, vars)) {
        if (w.endsWith('/')) dir.subdirs.push({ path: w.replace(/\/+$/, ''), cond: m[1] === 'lib' ? 'y' : cond });
        else if (w.endsWith('.o')) dir.objects.push({ path: w, cond: m[1] === 'lib' ? 'y' : cond });
      }
  }
  for (const o of dir.objects) {
    const base = o.path.replace(/\.o$/, '');
    // (`lib-y` is kbuild's library list, never the parts of a lib.o)
    if (dir.parts.has(base) || base === 'obj' || base === 'lib') continue;
    const parts: string[] = [];
    const conds = new Map<string, string[]>();
    for (const [name, values] of vars) {
      if (!name.startsWith(`${base}-`)) continue;
      const suffix = name.slice(base.length + 1);
      const cond = suffix === 'objs' ? 'y' : condOf(suffix);
      if (!cond) continue;
      for (const v of values)
        for (const w of expand(v, vars)) {
          if (!w.endsWith('.o')) continue;
          parts.push(w);
          conds.set(w, [...(conds.get(w) ?? []), cond]);
        }
    }
    if (parts.length) dir.parts.set(base, parts);
    if (conds.size) dir.partConds!.set(base, conds);
  }
  return dir;
}

/** Kconfig symbols declared `tristate` (may be a module), from the text of Kconfig files. */
export function tristates(kconfig: string): { tristate: Set<string>; declared: Set<string> } {
  const tristate = new Set<string>();
  const declared = new Set<string>();
  let current: string | undefined;
  for (const line of kconfig.replace(/\r\n?/g, '\n').split('\n')) {
    const c = /^\s*(?:menu)?config\s+([A-Za-z0-9_]+)\s*$/.exec(line);
    if (c) {
      current = c[1];
      declared.add(current);
      continue;
    }
    if (!current) continue;
    const t = /^\s*(bool|tristate|def_bool|def_tristate|int|hex|string)\b/.exec(line);
    if (t) {
      if (t[1] === 'tristate' || t[1] === 'def_tristate') tristate.add(current);
      current = undefined;
    } else if (/^\s*(choice|endchoice|menu|endmenu|if|endif|source|comment)\b/.test(line)) current = undefined;
  }
  return { tristate, declared };
}

/** The build facts of a tree: per C file (tree-relative, POSIX), its unit. */
export type BuildFacts = Map<string, BuildUnit>;

const dirname = (p: string): string => {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : p.slice(0, i);
};
const join = (d: string, p: string): string => (d === '.' ? p : `${d}/${p}`);

/**
 * Units for `files` (tree-relative): `dirs` maps a directory to its parsed build file (directories without
 * one are absent), `modular(cond)` says whether a condition can make a module.
 */
export function buildUnits(
  files: readonly string[],
  dirs: ReadonlyMap<string, KbuildDir>,
  modular: (cond: string) => boolean,
): BuildFacts {
  // directories entered as (possibly) modules: everything below one is
  const modularDirs = new Set<string>();
  for (const [d, k] of dirs) for (const s of k.subdirs) if (modular(s.cond)) modularDirs.add(join(d, s.path));
  const underModule = (d: string): boolean => {
    for (let cur = d; ; cur = dirname(cur)) {
      if (modularDirs.has(cur)) return true;
      if (cur === '.' || !cur.includes('/')) return modularDirs.has(cur);
    }
  };
  // a directory with a build file, or below one: kbuild compiles only the C files its build files name
  const governed = (d: string): boolean => {
    for (let cur = d; ; cur = dirname(cur)) {
      if (dirs.has(cur)) return true;
      if (cur === '.' || !cur.includes('/')) return false;
    }
  };
  const byFile = new Map<string, BuildUnit>();
  for (const [d, k] of dirs) {
    for (const o of k.objects) {
      const base = o.path.replace(/\.o$/, '');
      const unit = join(d, o.path);
      const module = modular(o.cond) || underModule(d);
      const members = k.parts.get(base)?.map((p) => join(d, p.replace(/\.o$/, '.c'))) ?? [join(d, `${base}.c`)];
      for (const f of members) {
        const old = byFile.get(f);
        // a file in two objects (a test module linking a file of the main one) stays with the first
        if (!old) byFile.set(f, { unit, ...(module ? { module } : {}) });
      }
    }
  }
  const out: BuildFacts = new Map();
  // the one object a directory's built files make, if they make one
  const principal = new Map<string, BuildUnit | null>();
  for (const f of files) {
    if (!f.endsWith('.c')) continue;
    const u = byFile.get(f);
    if (!u) continue;
    const d = dirname(f);
    const p = principal.get(d);
    if (p === undefined) principal.set(d, u);
    else if (p !== null && p.unit !== u.unit) principal.set(d, null);
  }
  for (const f of files) {
    const d = dirname(f);
    const u = byFile.get(f);
    if (u) {
      out.set(f, u);
      continue;
    }
    const p = principal.get(d);
    // a header of a directory that builds one object is part of it (calls in its static inlines)
    if (f.endsWith('.h') && p) out.set(f, p);
    else if (f.endsWith('.c') && governed(d)) out.set(f, { unit: `${d}/`, unbuilt: true });
    else out.set(f, { unit: `${d}/`, ...(underModule(d) ? { module: true } : {}) });
  }
  return out;
}

/**
 * The C files a configuration leaves out of the build, with the condition that does (`CONFIG_X is not set`):
 * every object that names the file is built only under a condition `builds` decides false — the object's own
 * (`obj-$(CONFIG_X) += x.o`), the part's (`ext4-$(CONFIG_Y) += y.o`) or one of a directory above it
 * (`obj-$(CONFIG_Z) += z/`). A file no object names, or one any way may build, stays.
 */
export function unbuiltByConfig(
  files: readonly string[],
  dirs: ReadonlyMap<string, KbuildDir>,
  builds: (cond: string) => boolean | undefined,
): Map<string, string> {
  const why = (cond: string): string | undefined =>
    builds(cond) === false ? `not built with this configuration (CONFIG_${cond} is not set)` : undefined;
  // how each directory is entered: its parent's `obj-$(CONFIG_X) += dir/` lines
  const entries = new Map<string, { parent: string; cond: string }[]>();
  for (const [d, k] of dirs)
    for (const s of k.subdirs) {
      const child = join(d, s.path);
      entries.set(child, [...(entries.get(child) ?? []), { parent: d, cond: s.cond }]);
    }
  const deadDirs = new Map<string, string | undefined>();
  const deadDir = (d: string, depth = 0): string | undefined => {
    if (deadDirs.has(d)) return deadDirs.get(d);
    deadDirs.set(d, undefined); // (a cycle of entries, or too deep: not dead)
    const ways = entries.get(d) ?? [];
    let reason: string | undefined;
    if (ways.length && depth < 64)
      for (const w of ways) {
        const r = why(w.cond) ?? deadDir(w.parent, depth + 1);
        if (!r) return undefined;
        reason ??= r;
      }
    deadDirs.set(d, reason);
    return reason;
  };
  // every way each file is built: an object of its directory, and the part's condition
  const ways = new Map<string, string | undefined>(); // file -> a reason while every way so far is dead
  const alive = new Set<string>();
  for (const [d, k] of dirs)
    for (const o of k.objects) {
      const base = o.path.replace(/\.o$/, '');
      const conds = k.partConds?.get(base);
      const members = k.parts.get(base) ?? [`${base}.o`];
      for (const p of members) {
        const f = join(d, p.replace(/\.o$/, '.c'));
        if (alive.has(f)) continue;
        const partWhy = conds?.get(p)?.map(why);
        const r =
          why(o.cond) ??
          (partWhy && partWhy.every((x) => x) ? partWhy[0] : undefined) ??
          (dirs.has(d) ? deadDir(d) : undefined);
        if (r) {
          if (!ways.has(f)) ways.set(f, r);
        } else {
          alive.add(f);
          ways.delete(f);
        }
      }
    }
  const out = new Map<string, string>();
  for (const f of files) {
    const r = f.endsWith('.c') && !alive.has(f) ? ways.get(f) : undefined;
    if (r) out.set(f, r);
  }
  return out;
}
