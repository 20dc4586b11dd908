/**
 * Reading a tree's build files (Kbuild or Makefile per directory, Kconfig*) for the linker: which object
 * each indexed file is part of (engine/link/kbuild.ts). Read-only; a file that cannot be read counts as
 * absent. The build files' hashes go into the snapshot key with the sources'.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type BuildFacts, type KbuildDir, buildUnits, parseKbuild, tristates, unbuiltByConfig } from '../engine/link';
import type { ConfigView } from '../engine/model';
import { contentHash } from './cache';

const read = (p: string): string | undefined => {
  try {
    return fs.statSync(p).isFile() ? fs.readFileSync(p, 'utf8') : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The build facts of the tree at `root` for its files `rels` (tree-relative, POSIX), the build files read, and
 * the files `config` leaves out of the build (with why).
 */
export function readBuildFacts(
  root: string,
  rels: readonly string[],
  config?: ConfigView,
): { facts: BuildFacts; read: { rel: string; hash: string }[]; leftOut: Map<string, string> } {
  const dirs = new Set<string>();
  for (const r of rels)
    for (let d = path.posix.dirname(r); !dirs.has(d); d = path.posix.dirname(d)) {
      dirs.add(d);
      if (d === '.' || d === '/') break;
    }
  const parsed = new Map<string, KbuildDir>();
  const seen: { rel: string; hash: string }[] = [];
  const tri = new Set<string>();
  for (const d of [...dirs].sort()) {
    const abs = path.join(root, d);
    for (const name of ['Kbuild', 'Makefile']) {
      const rel = d === '.' ? name : `${d}/${name}`;
      const text = read(path.join(abs, name));
      if (text === undefined) continue;
      seen.push({ rel, hash: contentHash(rel, text) });
      if (d !== '.') parsed.set(d, parseKbuild(text));
      break; // Kbuild takes precedence over Makefile, as in kbuild
    }
    let names: string[];
    try {
      names = fs
        .readdirSync(abs)
        .filter((n) => /^Kconfig/.test(n))
        .sort();
    } catch {
      names = [];
    }
    for (const name of names) {
      const rel = d === '.' ? name : `${d}/${name}`;
      const text = read(path.join(abs, name));
      if (text === undefined) continue;
      seen.push({ rel, hash: contentHash(rel, text) });
      for (const s of tristates(text).tristate) tri.add(s);
    }
  }
  const facts = buildUnits(rels, parsed, (cond) => cond === 'm' || tri.has(cond));
  const leftOut = config ? unbuiltByConfig(rels, parsed, (cond) => config.builds(cond)) : new Map<string, string>();
  return { facts, read: seen, leftOut };
}
