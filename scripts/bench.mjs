#!/usr/bin/env node
// `npm run bench`: lockscope against the tree-sitter parse floor on Linux 6.1 (Debian's linux-source-6.1),
// measured side by side in one run on this machine; writes BENCHMARKS.md and bench-results.json.
//
//   node scripts/bench.mjs [--kernel DIR] [--cache DIR] [--runs N]
//
// The kernel tree is fetched with `apt-get download linux-source-6.1` into the cache (default
// ~/.cache/lockscope/linux, or /work/cache/linux when that exists) and only fs/ include/ mm/ block/ and
// Documentation/filesystems are unpacked; it never enters git. Every measurement runs in a fresh child
// process; with --runs N each is repeated and the median kept. Peak RSS comes from GNU time when present.
//
// Measured: the floor (web-tree-sitter parsing every indexed file on one thread), `lockscope check fs/`
// (whole-tree index of fs/ include/ mm/ block/ plus the checks), and `lockscope check fs/btrfs fs/ext4 fs/xfs
// fs/iomap` (the directories sparse and smatch were timed on). Not yet measured, because what they measure
// is not built yet (issue 5): worker-parallel indexing, the warm start from an on-disk cache, edit-to-
// diagnostics and hover latency through the LSP server. The report says so instead of inventing numbers.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const USAGE = 'usage: node scripts/bench.mjs [--kernel DIR] [--cache DIR] [--runs N]';
const ROOTS = ['fs', 'include', 'mm', 'block'];

function args(argv) {
  const a = { kernel: undefined, cache: fs.existsSync('/work/cache/linux') ? '/work/cache/linux' : path.join(os.homedir(), '.cache', 'lockscope', 'linux'), runs: 1 };
  for (let i = 0; i < argv.length; i++) {
    const v = () => { const x = argv[++i]; if (x === undefined) { console.error(USAGE); process.exit(2); } return x; };
    if (argv[i] === '--kernel') a.kernel = v();
    else if (argv[i] === '--cache') a.cache = v();
    else if (argv[i] === '--runs') a.runs = Math.max(1, Number(v()) || 1);
    else { console.error(USAGE); process.exit(2); }
  }
  return a;
}

/** The 6.1 tree: given, cached, or downloaded from Debian and partly unpacked. */
function kernelTree(a) {
  if (a.kernel) return path.resolve(a.kernel);
  const dest = path.join(a.cache, 'linux-source-6.1');
  if (fs.existsSync(path.join(dest, 'include', 'linux'))) return dest;
  fs.mkdirSync(a.cache, { recursive: true });
  console.error(`bench: fetching linux-source-6.1 into ${a.cache} (apt-get download; once)`);
  let deb = fs.readdirSync(a.cache).find((f) => /^linux-source-6\.1_.*\.deb$/.test(f));
  if (!deb) {
    execFileSync('apt-get', ['download', 'linux-source-6.1'], { cwd: a.cache, stdio: 'inherit' });
    deb = fs.readdirSync(a.cache).find((f) => /^linux-source-6\.1_.*\.deb$/.test(f));
  }
  const pkg = path.join(a.cache, 'pkg');
  execFileSync('dpkg-deb', ['-x', path.join(a.cache, deb), pkg], { stdio: 'inherit' });
  const tarball = path.join(pkg, 'usr', 'src', 'linux-source-6.1.tar.xz');
  execFileSync('tar', ['-xJf', tarball, '-C', a.cache, ...[...ROOTS, 'Documentation/filesystems'].map((d) => `linux-source-6.1/${d}`)], { stdio: 'inherit' });
  return dest;
}

const gnuTime = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Run a child process; wall seconds, peak RSS (MiB, when GNU time is there), and its stdout. */
function measure(cmd, argv, cwd) {
  const full = gnuTime ? [gnuTime, ['-f', 'BENCH_RSS_KB=%M', cmd, ...argv]] : [cmd, argv];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { cwd, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const rss = /BENCH_RSS_KB=(\d+)/.exec(r.stderr ?? '');
  return { seconds, rssMiB: rss ? Math.round(Number(rss[1]) / 1024) : undefined, stdout: r.stdout };
}

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

function repeat(n, f) {
  const runs = Array.from({ length: n }, f);
  const best = runs.find((r) => r.seconds === median(runs.map((x) => x.seconds)));
  return { ...best, seconds: median(runs.map((r) => r.seconds)), all: runs.map((r) => +r.seconds.toFixed(2)) };
}

const a = args(process.argv.slice(2));
if (!fs.existsSync(path.join(repo, 'dist', 'cli.js'))) { console.error('bench: run `npm run build` first'); process.exit(2); }
const kernel = kernelTree(a);
const cli = path.join(repo, 'bin', 'lockscope.js');

console.error('bench: floor (raw web-tree-sitter parse, one thread)');
const floor = repeat(a.runs, () => {
  const m = measure(process.execPath, [path.join(repo, 'scripts', 'bench-parse.mjs'), kernel, ...ROOTS], repo);
  return { ...m, ...JSON.parse(m.stdout) };
});
console.error(`bench: ${floor.files} files, ${(floor.bytes / 1e6).toFixed(1)} MB parsed in ${floor.seconds.toFixed(2)} s`);

console.error('bench: lockscope check fs/ (whole-tree index + checks, one thread)');
const checkFs = repeat(a.runs, () => {
  const m = measure(process.execPath, [cli, 'check', 'fs', '--format', 'json', '--exit-zero'], kernel);
  const j = JSON.parse(m.stdout);
  return { ...m, findings: j.findings.length, indexedFiles: j.stats.indexed?.files, functions: j.stats.functions };
});
console.error(`bench: check fs/ ${checkFs.seconds.toFixed(2)} s, ${checkFs.findings} findings`);

const four = ['fs/btrfs', 'fs/ext4', 'fs/xfs', 'fs/iomap'];
console.error(`bench: lockscope check ${four.join(' ')}`);
const checkFour = repeat(a.runs, () => {
  const m = measure(process.execPath, [cli, 'check', ...four, '--format', 'json', '--exit-zero'], kernel);
  return { ...m, findings: JSON.parse(m.stdout).findings.length };
});

const versions = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const cpu = os.cpus();
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpu.length, model: cpu[0]?.model, memGiB: +(os.totalmem() / 2 ** 30).toFixed(1), node: process.version, platform: `${os.type()} ${os.release()}` },
  versions: { lockscope: versions.version, webTreeSitter: versions.dependencies['web-tree-sitter'], treeSitterC: versions.devDependencies['tree-sitter-c'] },
  kernel: { root: kernel, roots: ROOTS, files: floor.files, bytes: floor.bytes },
  runs: a.runs,
  floor: { seconds: +floor.seconds.toFixed(2), all: floor.all, rssMiB: floor.rssMiB },
  checkFs: { seconds: +checkFs.seconds.toFixed(2), all: checkFs.all, rssMiB: checkFs.rssMiB, findings: checkFs.findings, indexedFiles: checkFs.indexedFiles, functionsInFs: checkFs.functions },
  checkFour: { dirs: four, seconds: +checkFour.seconds.toFixed(2), all: checkFour.all, rssMiB: checkFour.rssMiB, findings: checkFour.findings },
  notMeasured: ['cold index with N workers', 'warm start from the on-disk cache', 'edit-to-diagnostics latency (LSP)', 'hover latency (LSP)'],
};
fs.writeFileSync(path.join(repo, 'bench-results.json'), `${JSON.stringify(result, null, 2)}\n`);

const r = (x) => (x / floor.seconds).toFixed(2);
const md = `# Benchmarks

Written by \`npm run bench\` (scripts/bench.mjs) on ${result.date.slice(0, 10)}; raw numbers in bench-results.json.
Machine: ${result.machine.cpus} × ${result.machine.model}, ${result.machine.memGiB} GiB, ${result.machine.node}, ${result.machine.platform}.
Versions: lockscope ${result.versions.lockscope}, web-tree-sitter ${result.versions.webTreeSitter}, tree-sitter-c ${result.versions.treeSitterC}.
Tree: Linux 6.1 (Debian linux-source-6.1), ${ROOTS.map((d) => `${d}/`).join(' ')}: ${floor.files} .c/.h files, ${(floor.bytes / 1e6).toFixed(1)} MB.
Each row is a fresh process${a.runs > 1 ? `, median of ${a.runs} runs` : ', one run'}; the machines are shared and noisy (±20 %), so the ratios, measured side by side, are what count.

| measurement | wall time | × floor | peak RSS | notes |
| --- | ---: | ---: | ---: | --- |
| floor: web-tree-sitter parse of the same files, one thread | ${floor.seconds.toFixed(2)} s | 1.00 | ${floor.rssMiB ?? '?'} MiB | trees deleted after each file |
| \`lockscope check fs/\` (index ${ROOTS.join(', ')}; check fs/), one thread | ${checkFs.seconds.toFixed(2)} s | ${r(checkFs.seconds)} | ${checkFs.rssMiB ?? '?'} MiB | ${checkFs.findings} findings |
| \`lockscope check ${four.join(' ')}\` | ${checkFour.seconds.toFixed(2)} s | ${r(checkFour.seconds)} | ${checkFour.rssMiB ?? '?'} MiB | ${checkFour.findings} findings; sparse 32–69 s (after a configured build), smatch 451–507 s on the same directories (issue 5) |

Not measured yet, because it is not built yet (issue 5): cold index with N workers, warm start from the on-disk
cache, edit-to-diagnostics and hover latency through the LSP server. Targets and where the time goes: issue 5's note.
`;
fs.writeFileSync(path.join(repo, 'BENCHMARKS.md'), md);
process.stdout.write(md);
