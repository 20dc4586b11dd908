#!/usr/bin/env node
// Summarise the .cpuprofile files of one run (node --cpu-prof writes one per thread: the main thread and
// every worker) into where the time goes: seconds per phase, inclusive, for the main thread and summed
// over the workers. Used by scripts/bench.mjs for BENCHMARKS.md; also by hand:
//   node scripts/bench-profile.mjs DIR
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Phases by the function names on the stack (the first that matches, innermost first, wins). */
const PHASES = [
  ['garbage collection', /^\(garbage collector\)$/],
  ['tree-sitter parse', /^parse$/],
  ['CFG building (buildCfg)', /^buildCfg$/],
  ['type facts (TypeTable.addTree / variables)', /^(addTree|variables)$/],
  ['node queries (descendantsOfType, captures, matches)', /^(descendantsOfType|captures|matches)$/],
  ['record (de)serialisation', /^(serialise|deserialise|serialize|deserialize)$/],
  ['cache reads/writes', /^(get|put|readEntry|writeAtomic)$/],
  ['solving (solve)', /^solve$/],
  ['summaries (summarise)', /^summarise$/],
  ['checks (runChecks)', /^runChecks$/],
  ['linking (Linker)', /^(Linker|edges|sccOrder|linkFns)$/],
];

function summarise(file) {
  const p = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const dt = new Map();
  p.samples.forEach((s, i) => dt.set(s, (dt.get(s) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const phase = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, t] of dt) {
    const leaf = byId.get(id).callFrame.functionName;
    if (leaf === '(idle)' || leaf === '(program)') {
      idle += t;
      continue;
    }
    total += t;
    let name = 'other';
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const fn = byId.get(cur).callFrame.functionName;
      const hit = PHASES.find(([, re]) => re.test(fn));
      if (hit) {
        name = hit[0];
        break;
      }
    }
    phase.set(name, (phase.get(name) ?? 0) + t);
  }
  return {
    busy: total / 1e6,
    idle: idle / 1e6,
    phases: Object.fromEntries([...phase].map(([k, v]) => [k, +(v / 1e6).toFixed(2)])),
  };
}

export function profileDir(dir) {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f));
  const threads = files.map((f) => ({ file: f, ...summarise(f) }));
  // the main thread is the one with linking/solving in it; the rest are extraction workers
  const main = threads.find((t) => (t.phases['solving (solve)'] ?? 0) > 0) ?? threads[0];
  const workers = threads.filter((t) => t !== main);
  const sum = {};
  for (const w of workers) for (const [k, v] of Object.entries(w.phases)) sum[k] = +((sum[k] ?? 0) + v).toFixed(2);
  return {
    main: main ? { busy: +main.busy.toFixed(2), phases: main.phases } : undefined,
    workers: { count: workers.length, busy: +workers.reduce((s, w) => s + w.busy, 0).toFixed(2), phases: sum },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  console.log(JSON.stringify(profileDir(process.argv[2]), null, 2));
}
