/**
 * The command line, parsed with node:util.parseArgs: one table of options per command, from which the
 * parser's configuration, each command's `--help` and the short usage on errors are all made. Every option
 * that takes a value takes it as `--opt value` or `--opt=value` (short forms: `-o FILE`, `-q`, `-h`).
 */
import { parseArgs } from 'node:util';
import { CONFIDENCE_LEVELS } from '../engine/model';

export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose short usage follows the message (none: the general one). */
    readonly command?: Command,
  ) {
    super(message);
  }
}

/** A mistake in the input, not in the command line (a function the tree does not have): no usage follows. */
export class InputError extends Error {}

export type Command = 'check' | 'report' | 'splat' | 'contracts' | 'lsp';

interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's name in the help (`--format FMT`). */
  value?: string;
  help: string;
}

const INDEX_OPTIONS: Record<string, OptionSpec> = {
  jobs: { type: 'string', value: 'N', help: 'extraction workers (default: one per core; 0: on the main thread)' },
  'cache-dir': {
    type: 'string',
    value: 'DIR',
    help: 'the on-disk cache (default: $LOCKSCOPE_CACHE_DIR, else $XDG_CACHE_HOME/lockscope or ~/.cache/lockscope)',
  },
  'no-cache': { type: 'boolean', help: 'no on-disk cache: parse every file' },
  grammars: {
    type: 'string',
    value: 'DIR',
    help:
      'the folder holding tree-sitter-c.wasm and web-tree-sitter.wasm (default: $LOCKSCOPE_GRAMMARS, else the ' +
      'bundled ones)',
  },
  'allow-unpinned-grammar': {
    type: 'boolean',
    help: 'load grammar files other than the bundled ones (by SHA-256); also LOCKSCOPE_ALLOW_UNPINNED_GRAMMAR=1',
  },
  kconfig: {
    type: 'string',
    value: 'FILE',
    help:
      'the kernel .config deciding #ifdef CONFIG_ arms and which files are built (default: the kconfig setting, ' +
      "else the tree's .config; without one, debug-only options are taken as unset)",
  },
};

const COMMON: Record<string, OptionSpec> = {
  output: { type: 'string', short: 'o', value: 'FILE', help: 'write the output to FILE instead of stdout' },
  quiet: { type: 'boolean', short: 'q', help: 'no progress, notes or summary on stderr (warnings and errors still)' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
};

export const OPTIONS: Record<Command, Record<string, OptionSpec>> = {
  check: {
    format: { type: 'string', value: 'FMT', help: 'text (default), json or sarif' },
    'exit-zero': { type: 'boolean', help: 'exit 0 even when there are findings' },
    config: { type: 'string', value: 'FILE', help: 'settings from FILE instead of .lockscope.json' },
    root: {
      type: 'string',
      value: 'DIR',
      help: 'the kernel tree (default: the nearest folder up with include/linux/)',
    },
    'per-file': { type: 'boolean', help: 'each file on its own, without indexing the tree' },
    'no-color': { type: 'boolean', help: 'no colours (also NO_COLOR=1 or when stdout is no terminal)' },
    baseline: {
      type: 'string',
      value: 'FILE',
      help: 'leave out the findings FILE lists (default: .lockscope-baseline.json in the tree root or folder given)',
    },
    'no-baseline': { type: 'boolean', help: 'report every finding, baseline or not' },
    'write-baseline': { type: 'string', value: 'FILE', help: 'write every finding to FILE as accepted; report none' },
    confidence: {
      type: 'string',
      value: 'LEVEL',
      help: 'the least confidence shown: high (default), medium or low (docs/findings.md#confidence)',
    },
    timings: { type: 'boolean', help: 'print where the time went to stderr' },
    'no-builtin-forbidden': { type: 'boolean', help: 'the builtinForbiddenCalls setting off for this run' },
    ...INDEX_OPTIONS,
    ...COMMON,
  },
  report: {
    depth: { type: 'string', value: 'N', help: 'call depth below the function, 1 to 12 (default 3)' },
    format: { type: 'string', value: 'FMT', help: 'md (default), dot or svg' },
    root: {
      type: 'string',
      value: 'DIR',
      help: 'the kernel tree (default: the nearest folder up with include/linux/)',
    },
    'all-calls': {
      type: 'boolean',
      help: 'draw trivial leaves (tiny lock-free accessors, atomics) and debug-only callees as boxes of their own',
    },
    'all-locks': {
      type: 'boolean',
      help: 'show debug-only locks (taken only in code built under a Kconfig.debug option: kmemleak, KASAN, kunit)',
    },
    'lock-order': { type: 'boolean', help: 'the lock-order graph of the tree instead of a call graph' },
    'documented-orders': {
      type: 'boolean',
      help:
        'the lock orders the kernel documents, each confirmed, contradicted or not observed by the lock-order ' +
        'graph, with a witness (Markdown)',
    },
    cycles: { type: 'boolean', help: 'with --lock-order: only the classes on cycles' },
    class: {
      type: 'string',
      multiple: true,
      value: 'TEXT',
      help: 'with --lock-order: only classes whose name contains TEXT (repeatable)',
    },
    ...INDEX_OPTIONS,
    ...COMMON,
  },
  splat: {
    format: { type: 'string', value: 'FMT', help: 'text (default) or json' },
    root: {
      type: 'string',
      value: 'DIR',
      help: 'the kernel tree (default: the nearest folder up from here with include/linux/)',
    },
    ...INDEX_OPTIONS,
    ...COMMON,
  },
  contracts: {
    format: { type: 'string', value: 'FMT', help: 'diff (default: a unified diff for git apply / patch -p1) or json' },
    root: {
      type: 'string',
      value: 'DIR',
      help: 'the kernel tree; diff paths are relative to it (default: the nearest folder up with include/linux/)',
    },
    'per-file': { type: 'boolean', help: 'each file on its own, without indexing the tree (paths relative to here)' },
    verbose: { type: 'boolean', short: 'v', help: 'say on stderr which contracts are left out, and why' },
    ...INDEX_OPTIONS,
    ...COMMON,
  },
  lsp: {
    stdio: { type: 'boolean', help: 'talk on stdin/stdout (the default)' },
    'node-ipc': { type: 'boolean', help: 'talk over Node IPC' },
    socket: { type: 'string', value: 'PORT', help: 'talk over a socket' },
    pipe: { type: 'string', value: 'NAME', help: 'talk over a named pipe' },
    clientProcessId: { type: 'string', value: 'PID', help: 'exit when this process does' },
    grammars: INDEX_OPTIONS.grammars,
    'allow-unpinned-grammar': INDEX_OPTIONS['allow-unpinned-grammar'],
    help: COMMON.help,
  },
};

const SYNOPSIS: Record<Command, string[]> = {
  check: ['usage: lockscope check <dir|file...> [options]'],
  report: [
    'usage: lockscope report <function|file:function> [--depth N] [--format md|dot|svg] [options]',
    '       lockscope report --lock-order [--cycles] [--class TEXT]... [--format md|dot|svg] [options]',
    '       lockscope report --documented-orders [options]',
  ],
  splat: ['usage: lockscope splat <FILE|-> [--root DIR] [--format text|json] [options]'],
  contracts: ['usage: lockscope contracts <file|dir...> [--format diff|json] [--root DIR] [--verbose] [options]'],
  lsp: ['usage: lockscope lsp [--stdio] [--grammars DIR [--allow-unpinned-grammar]]'],
};

const ABOUT: Record<Command, string> = {
  check:
    'Check C files or folders for lock misuse. Inside a kernel tree the whole tree is indexed (fs/, include/, ' +
    'mm/, block/) and findings are reported in the paths given.\nExit status: 0 no findings, 1 findings, 2 usage ' +
    'or input errors. Progress goes to stderr (a line rewritten in place on a terminal, a plain line every ' +
    'second otherwise).',
  report:
    'Draw the call graph below a function (locks held on each call, findings on the way), or the lock-order ' +
    'graph of the tree, or list the lock orders the kernel documents against that graph.',
  splat:
    'Map a kernel splat (a lockdep report or a hung-task trace, from a file or - for stdin) onto the tree: its ' +
    'locks as lockscope classes, the static path along each call trace, and the finding that predicted it.\n' +
    'Exit status: 0 a finding predicted it, 1 none did, 2 usage or input errors (no splat in the file).',
  contracts:
    'Write the lock contracts lockscope infers as kernel annotations: a unified diff adding __must_hold(), ' +
    "__acquires() or __releases() after each definition's parameter list and lockdep_assert_held() first in " +
    'its body, for the locks every path agrees on and the caller can name (parameters, globals). Nothing is ' +
    'written to the sources: apply the diff from the tree root with git apply or patch -p1. docs/contracts.md.\n' +
    'Exit status: 0 done (with or without annotations), 2 usage or input errors.',
  lsp: 'Run the language server (for neovim, Helix, Emacs ...).',
};

/** The short usage printed after an error: the command's synopsis (or all of them) and where the help is. */
export function shortUsage(command?: Command): string {
  if (command) return [...SYNOPSIS[command], `Run 'lockscope ${command} --help' for its options.`].join('\n');
  return [
    SYNOPSIS.check[0],
    ...[...SYNOPSIS.report, SYNOPSIS.splat[0], SYNOPSIS.contracts[0], SYNOPSIS.lsp[0]].map((l) =>
      l.replace(/^usage: /, '       '),
    ),
    '       lockscope --version',
    "Run 'lockscope <command> --help' for the options of a command.",
  ].join('\n');
}

/** A command's full help (`lockscope check --help`). */
export function commandHelp(command: Command): string {
  const rows = Object.entries(OPTIONS[command]).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
    return [flag, o.help] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return [
    ...SYNOPSIS[command],
    '',
    ABOUT[command],
    '',
    'Options:',
    ...rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`),
    '',
  ].join('\n');
}

/** The general help (`lockscope --help`). */
export function generalHelp(): string {
  return [
    shortUsage().split('\n').slice(0, -1).join('\n'),
    '',
    ...(['check', 'report', 'splat', 'contracts', 'lsp'] as Command[]).map(
      (c) => `  ${c.padEnd(10)}${ABOUT[c].split('\n')[0]}`,
    ),
    '',
    "Run 'lockscope <command> --help' for the options of a command; docs: README.md, docs/findings.md.",
    '',
  ].join('\n');
}

export type Parsed = { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };

/** Parse `argv` for `command`; a mistake is a UsageError in words (with the closest option when misspelt). */
export function parseCommand(command: Command, argv: string[]): Parsed {
  const options = OPTIONS[command];
  try {
    const { values, positionals } = parseArgs({
      args: negativeValues(argv, options),
      options: Object.fromEntries(
        Object.entries(options).map(([k, o]) => [
          k,
          { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (e) {
    throw new UsageError(explain(e as Error & { code?: string }, options), command);
  }
}

/** `--jobs -1`: a value that looks like a short option is the option's value (parseArgs would refuse it). */
function negativeValues(argv: string[], options: Record<string, OptionSpec>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    if (name && options[name]?.type === 'string' && /^-\d/.test(argv[i + 1] ?? '')) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

function explain(e: Error & { code?: string }, options: Record<string, OptionSpec>): string {
  const named = /'(-[^' ]+)/.exec(e.message)?.[1] ?? '';
  const name = named.replace(/^-+/, '');
  const long = options[name] ? `--${name}` : named;
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const near = closest(
      name,
      Object.keys(options).filter((k) => k !== 'help'),
    );
    return `unknown option ${named}${near.length ? ` (did you mean --${near[0]}?)` : ''}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const spec = options[name] ?? Object.values(options).find((o) => o.short === name);
    const full = spec ? `--${Object.keys(options).find((k) => options[k] === spec)}` : long;
    return spec?.type === 'boolean' ? `${full} takes no value` : `${full} needs a value`;
  }
  return e.message;
}

/** The one value of a string option, or undefined. */
export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

export function oneOf<T extends string>(p: Parsed, name: string, allowed: readonly T[]): T | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    const near = closest(v, allowed);
    throw new UsageError(
      `unknown ${name} "${v}" (${allowed.join(', ')})${near.length ? `; did you mean ${near[0]}?` : ''}`,
    );
  }
  return v as T;
}

export const CONFIDENCE = CONFIDENCE_LEVELS;

/** Levenshtein distance, given up (Infinity) beyond `max`. */
export function distance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return Infinity;
    prev = cur;
  }
  return prev[b.length] <= max ? prev[b.length] : Infinity;
}

/**
 * The names closest to `word` (at most `n`, nearest first): within an edit distance of a third of its length
 * (at most 3), or names that contain it when nothing is that near.
 */
export function closest(word: string, names: Iterable<string>, n = 3): string[] {
  const max = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  const scored: [string, number][] = [];
  const containing: string[] = [];
  for (const name of new Set(names)) {
    if (name === word) continue;
    const d = distance(word, name, max);
    if (d !== Infinity) scored.push([name, d]);
    else if (word.length >= 4 && name.includes(word) && containing.length < 50) containing.push(name);
  }
  scored.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  const out = scored.map(([s]) => s);
  if (!out.length) containing.sort((a, b) => a.length - b.length || a.localeCompare(b));
  return (out.length ? out : containing).slice(0, n);
}
