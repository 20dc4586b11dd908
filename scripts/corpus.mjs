#!/usr/bin/env node
// Corpus run: the built CLI (`lockscope check <dir> --format json`) over a kernel tree, summarised.
//
//   node scripts/corpus.mjs [--kernel DIR] [--json OUT] [--raw OUT] [SUBPATH...]
//
// --kernel DIR   kernel source root (default: linux-source-6.1 in scripts/kernel.mjs's cache, fetched once)
// SUBPATH...     directories or files under the root to check (default: fs)
// --json OUT     also write the summary as JSON to OUT
// --raw OUT      also write the CLI's full JSON output (every finding) to OUT, for triage
//
// Prints files, functions, functions with parse errors, lock sites found vs modelled, the
// unmodelled construct counts (sorted), findings per kind and per top-level directory
// (fs/btrfs, fs/ext4, ...; files directly under fs/ count as "fs"), and wall time.
// Needs `node scripts/build.mjs` first. Not part of any test.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelTree } from './kernel.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const USAGE = 'usage: node scripts/corpus.mjs [--kernel DIR] [--json OUT] [--raw OUT] [SUBPATH...]';

function parseArgs(argv) {
  const a = { kernel: undefined, json: undefined, raw: undefined, sub: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (v === undefined) {
        console.error(`${arg} needs a value\n${USAGE}`);
        process.exit(2);
      }
      return v;
    };
    if (arg === '--kernel' || arg.startsWith('--kernel=')) a.kernel = value();
    else if (arg === '--json' || arg.startsWith('--json=')) a.json = value();
    else if (arg === '--raw' || arg.startsWith('--raw=')) a.raw = value();
    else if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg.startsWith('-')) {
      console.error(`unknown option ${arg}\n${USAGE}`);
      process.exit(2);
    } else a.sub.push(arg.replace(/\/+$/, ''));
  }
  if (!a.sub.length) a.sub.push('fs');
  return a;
}

/** Run the CLI with `cwd` = kernel root; resolves with stdout, stderr and the exit code. */
function runCli(kernel, targets) {
  const cli = path.join(root, 'bin', 'lockscope.js');
  if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) {
    console.error('dist/cli.js is missing: run `node scripts/build.mjs --no-check` first');
    process.exit(2);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'check', ...targets, '--format', 'json', '--exit-zero'], {
      cwd: kernel,
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code }),
    );
  });
}

/** `fs/btrfs/inode.c` -> `fs/btrfs`; `fs/namei.c` -> `fs`. */
function topDir(file) {
  const parts = file.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : parts.slice(0, -1).join('/') || '.';
}

const countBy = (items, key) => {
  const m = {};
  for (const it of items) {
    const k = key(it);
    m[k] = (m[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(m).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])));
};

const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const kernel = kernelTree({ kernel: args.kernel, log: (m) => console.error(`corpus: ${m}`) });
  for (const s of args.sub) {
    if (!fs.existsSync(path.join(kernel, s))) {
      console.error(`no such path under ${kernel}: ${s}`);
      process.exit(2);
    }
  }
  const t0 = process.hrtime.bigint();
  const r = await runCli(kernel, args.sub);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.code !== 0) {
    process.stderr.write(r.stderr);
    console.error(`lockscope check exited with ${r.code}`);
    process.exit(2);
  }
  const out = JSON.parse(r.stdout);
  // the CLI reports paths relative to where it runs: the kernel root
  const rel = (f) => f;
  const findings = out.findings.map((f) => ({ ...f, file: rel(f.file) }));
  const st = out.stats;
  const warnings = r.stderr.split('\n').filter(Boolean);

  const summary = {
    command: `node scripts/corpus.mjs --kernel ${kernel} ${args.sub.join(' ')}`,
    kernel,
    paths: args.sub,
    files: st.files,
    skipped: st.skipped.map((s) => ({ ...s, file: rel(s.file) })),
    functions: st.functions,
    functionsWithParseErrors: st.functionsWithParseErrors,
    lockSites: {
      found: st.lockSites.found,
      modelled: st.lockSites.modelled,
      notModelled: st.lockSites.found - st.lockSites.modelled,
    },
    unmodelled: Object.fromEntries(
      Object.entries(st.unmodelled).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])),
    ),
    findings: findings.length,
    byKind: countBy(findings, (f) => f.kind),
    byDirectory: countBy(findings, (f) => topDir(f.file)),
    byDirectoryAndKind: {},
    engineSeconds: st.seconds,
    wallSeconds: Math.round(wall * 1000) / 1000,
    cliWarnings: warnings.length,
  };
  for (const f of findings) {
    const d = (summary.byDirectoryAndKind[topDir(f.file)] ??= {});
    d[f.kind] = (d[f.kind] ?? 0) + 1;
  }

  const lines = [];
  const p = (s = '') => lines.push(s);
  p(`lockscope corpus run: ${args.sub.join(' ')} under ${kernel}`);
  const skipped = summary.skipped.length ? ` (${summary.skipped.length} skipped)` : '';
  p(`files                         ${summary.files}${skipped}`);
  p(`functions                     ${summary.functions}`);
  const { found, modelled, notModelled } = summary.lockSites;
  const withErrors = summary.functionsWithParseErrors;
  p(`functions with parse errors   ${withErrors} (${pct(withErrors, summary.functions)})`);
  p(`lock sites found / modelled   ${found} / ${modelled} (${pct(modelled, found)}; ${notModelled} not modelled)`);
  p(`findings                      ${summary.findings}`);
  p(`wall time                     ${summary.wallSeconds.toFixed(1)} s (engine ${summary.engineSeconds.toFixed(1)} s)`);
  p();
  p('findings per kind:');
  for (const [k, v] of Object.entries(summary.byKind)) p(`  ${String(v).padStart(6)}  ${k}`);
  p();
  p('findings per directory:');
  const kinds = Object.keys(summary.byKind);
  for (const [d, v] of Object.entries(summary.byDirectory)) {
    const per = kinds
      .map((k) => (summary.byDirectoryAndKind[d][k] ? `${k} ${summary.byDirectoryAndKind[d][k]}` : ''))
      .filter(Boolean)
      .join(', ');
    p(`  ${String(v).padStart(6)}  ${d.padEnd(18)} ${per}`);
  }
  p();
  p('unmodelled constructs:');
  const um = Object.entries(summary.unmodelled);
  if (!um.length) p('  (none)');
  for (const [k, v] of um) p(`  ${String(v).padStart(6)}  ${k}`);
  if (summary.skipped.length) {
    p();
    p('skipped files:');
    for (const s of summary.skipped) p(`  ${s.file}: ${s.reason}`);
  }
  process.stdout.write(lines.join('\n') + '\n');

  if (args.json) fs.writeFileSync(args.json, JSON.stringify(summary, null, 2) + '\n');
  if (args.raw) fs.writeFileSync(args.raw, JSON.stringify({ ...out, findings }, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e?.stack ?? String(e));
  process.exit(2);
});
