/**
 * Settings: one zod schema is the source of truth for VS Code settings (`lockscope.*`), the
 * workspace file `.lockscope.json` and the CLI. A test checks that package.json's
 * contributes.configuration matches it. Bad values never stop the engine: each invalid key falls
 * back to its default and the problem is reported in words a person can act on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { Catalog, type LockPrimitive } from './catalog';
import type { ForbiddenCall } from './rules';
import type { KernelConfig } from './kconfig';
import { USER_LOCK_KIND_NAMES } from './kinds';
import {
  type Confidence,
  FINDING_KINDS,
  type Finding,
  type FindingKind,
  type Severity,
  defaultSeverities,
} from './findings';

const lockKind = z.enum(USER_LOCK_KIND_NAMES);
const mode = z.enum(['excl', 'shared']);

export const primitiveSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z_]\w*$/, 'a C identifier')
      .describe('The function or macro name, e.g. foo_lock.'),
    op: z
      .enum([
        'acquire',
        'release',
        'trylock',
        'assert',
        'predicate',
        'downgrade',
        'noreturn',
        'handoff',
        'release-handed',
      ])
      .describe('What a call does to the lock: acquire, release, trylock (success per `success`), assert ...'),
    kind: lockKind.default('other').describe('The kind of lock (mutex, spinlock, rwsem ...).'),
    mode: mode.optional().describe('excl (default) or shared (a reader).'),
    arg: z.number().int().min(-1).max(15).optional().describe('Which argument is the lock (0-based; -1: none).'),
    lock: z
      .string()
      .optional()
      .describe('The lock as an expression of the arguments, e.g. {arg}->lock or {0}->i_rwsem.'),
    class: z.string().optional(),
    success: z.enum(['nonzero', 'zero']).optional(),
    subclassArg: z.number().int().min(0).max(15).optional(),
    recursive: z.boolean().optional(),
    flags: z
      .object({
        arg: z.number().int().min(0).max(15),
        bits: z.record(z.object({ lock: z.string(), mode, kind: lockKind, class: z.string().optional() })),
      })
      .optional(),
    range: z.tuple([z.number().int(), z.number().int()]).optional(),
  })
  .strict();

const severityOrOff = z.enum(['error', 'warning', 'information', 'hint', 'off']);

/**
 * Every setting: key (without the `lockscope.` prefix), schema with default, and description. package.json's
 * settings and the schema of .lockscope.json are generated from these (server/src/settings-schema.ts,
 * `npm run schemas`).
 */
export const SETTINGS = {
  extraLocks: {
    schema: z.array(primitiveSchema).default([]),
    description:
      'Extra lock primitives (same shape as the built-in catalog), e.g. {"name": "foo_lock", "op": "acquire", ' +
      '"kind": "mutex", "lock": "{arg}->lock"}.',
  },
  forbiddenCalls: {
    schema: z
      .array(
        z
          .object({
            call: z
              .string()
              .regex(/^[A-Za-z_]\w*$/, 'a C identifier')
              .describe('The function that must not be called under the lock.'),
            lock: z.string().min(1).describe("The lock, as an expression of the call's arguments: {0} is the first."),
            class: z.string().optional(),
            kind: lockKind.optional(),
            reason: z.string().default('a forbidden-call rule'),
          })
          .strict(),
      )
      .default([]),
    description:
      'Calls that must not happen while a lock is held, e.g. {"call": "vfs_fsync", "lock": ' +
      '"file_inode({0})->i_rwsem", "reason": "..."}; {0} is the call\'s first argument. Built in: ' +
      'generic_write_sync, vfs_fsync_range and vfs_fsync under the inode lock of the same file.',
  },
  builtinForbiddenCalls: {
    schema: z.boolean().default(true),
    description:
      'Apply the built-in forbidden-call rules (generic_write_sync, vfs_fsync_range and vfs_fsync under the inode ' +
      'lock of the same file). Off: only the rules in forbiddenCalls apply, and a sync under the inode lock is ' +
      'found only where the analysis follows ->fsync to an implementation that takes it (a recursive-lock).',
  },
  'index.include': {
    schema: z.array(z.string().min(1)).default(['fs/**', 'include/**', 'mm/**', 'block/**']),
    description:
      'Files of a kernel tree indexed for whole-tree analysis ' +
      '(globs relative to the tree root: ** any folders, * any name, {ext4,btrfs} alternatives, [a-e] a class).',
  },
  'index.exclude': {
    schema: z.array(z.string().min(1)).default([]),
    description: 'Files left out of the index (globs relative to the tree root), e.g. "fs/*/tests/**".',
  },
  'index.workers': {
    schema: z.number().int().min(0).max(64).default(0),
    description: 'Worker threads that parse and extract the tree while indexing; 0: one per core.',
  },
  'index.cache': {
    schema: z.boolean().default(true),
    description:
      "Keep what indexing extracted in an on-disk cache (the CLI's: $LOCKSCOPE_CACHE_DIR, else " +
      '$XDG_CACHE_HOME/lockscope or ~/.cache/lockscope), keyed by file content, lockscope build, grammar and ' +
      'settings, so that the next start, and `lockscope check` on the same tree, load it instead of parsing again.',
  },
  loopMacros: {
    schema: z.array(z.string().regex(/^[A-Za-z_]\w*$/)).default([]),
    description:
      'Extra macro names whose `NAME(...) { body }` is a loop (names containing for_each are loops already).',
  },
  severity: {
    schema: z.record(z.enum(FINDING_KINDS), severityOrOff).default(defaultSeverities),
    description:
      'Severity per finding kind, or "off" to hide a kind. lock-order-inversion, documented-order-violation and ' +
      'reclaim-under-lock are off by default: their lock classes are too coarse on a real tree (see docs/findings.md).',
  },
  confidence: {
    schema: z.enum(['high', 'medium', 'low']).default('high'),
    description:
      'The least confidence a finding needs to be shown: high (default: every step decided by what the code says), ' +
      'medium (also findings that rest on a guess: a possible hand-off through the return value, an undecided ' +
      'guard, an indirect call resolved by directory) or low (everything). See docs/findings.md.',
  },
  pathOrder: {
    schema: z.enum(['start-first', 'end-first']).default('start-first'),
    description:
      "Order of a finding's path steps in related information: from the first acquisition (start-first) or from the " +
      'conflict back (end-first).',
  },
  maxFileSizeKB: {
    schema: z
      .number()
      .int()
      .min(1)
      .max(1024 * 1024)
      .default(16384),
    description: 'Files larger than this (KiB) are not analysed; a message says so.',
  },
  kconfig: {
    schema: z.string().default(''),
    description:
      'The kernel configuration (.config) that decides #ifdef CONFIG_X arms and which files the build compiles: ' +
      "a path, relative to the kernel tree root or absolute. Empty: the tree's own .config at its root, if it has " +
      'one; without any, both arms are analysed except those of debug-only options (CONFIG_DEBUG_*, KASAN, ' +
      'KCSAN, KUnit, lockdep), which are taken as unset. See docs/findings.md.',
  },
  'trace.server': {
    schema: z.enum(['off', 'messages', 'verbose']).default('off'),
    description: 'Trace the communication between VS Code and the lockscope language server.',
  },
} as const;

export type SettingKey = keyof typeof SETTINGS;

/**
 * Settings that decide what code lockscope loads. They are read only from the user: the VS Code client
 * passes their user-level value at start-up (they are machine-scoped, so a workspace cannot set them, and
 * restricted in untrusted workspaces); the CLI takes --grammars / --allow-unpinned-grammar, and the
 * environment $LOCKSCOPE_GRAMMARS / $LOCKSCOPE_ALLOW_UNPINNED_GRAMMAR. A tree's `.lockscope.json`, a
 * --config file and the workspace settings a server is sent never set them.
 */
export const STARTUP_SETTINGS = {
  grammarDirectory: {
    default: '',
    description:
      'Folder holding tree-sitter-c.wasm and web-tree-sitter.wasm; empty means the bundled grammars. User settings ' +
      'only (a workspace cannot set it), read when the server starts.',
    json: { type: 'string', scope: 'machine' },
  },
  allowUnpinnedGrammar: {
    default: false,
    description:
      'Load grammar WASM files other than the ones lockscope ships (their SHA-256 differs). WASM files are code: ' +
      'allow only ones you trust. User settings only, read when the server starts.',
    json: { type: 'boolean', scope: 'machine' },
  },
} as const;

const STARTUP_HINT: Record<keyof typeof STARTUP_SETTINGS, string> = {
  grammarDirectory: '--grammars DIR, $LOCKSCOPE_GRAMMARS or the user-level VS Code setting',
  allowUnpinnedGrammar:
    '--allow-unpinned-grammar, $LOCKSCOPE_ALLOW_UNPINNED_GRAMMAR=1 or the user-level VS Code setting',
};

export interface Settings {
  'index.include': string[];
  'index.exclude': string[];
  'index.workers': number;
  'index.cache': boolean;
  extraLocks: LockPrimitive[];
  forbiddenCalls: ForbiddenCall[];
  builtinForbiddenCalls: boolean;
  loopMacros: string[];
  severity: Partial<Record<FindingKind, Severity | 'off'>>;
  confidence: Confidence;
  maxFileSizeKB: number;
  pathOrder: 'start-first' | 'end-first';
  kconfig: string;
  /** The configuration read from `kconfig` (or the tree's .config) where the tree is known (tree/kconfig-file.ts). */
  kernelConfig?: KernelConfig;
  'trace.server': 'off' | 'messages' | 'verbose';
}

export function defaultSettings(): Settings {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(SETTINGS)) out[k] = v.schema.parse(undefined);
  return out as unknown as Settings;
}

/** Validate raw settings key by key; invalid keys keep their default and produce a message. */
export function parseSettings(raw: unknown, origin: string): { settings: Settings; problems: string[] } {
  const settings = defaultSettings() as unknown as Record<string, unknown>;
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { settings: settings as unknown as Settings, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      settings: settings as unknown as Settings,
      problems: [`${origin}: expected an object of settings, got ${Array.isArray(raw) ? 'an array' : typeof raw}`],
    };
  }
  const obj = raw as Record<string, unknown>;
  // accept both flat ("trace.server") and nested ({trace: {server}}) spellings
  const trace = obj.trace as Record<string, unknown> | undefined;
  if (trace && typeof trace === 'object' && 'server' in trace && !('trace.server' in obj))
    obj['trace.server'] = trace.server;
  for (const [key, def] of Object.entries(SETTINGS)) {
    if (!Object.hasOwn(obj, key) || obj[key] === undefined) continue;
    const r = def.schema.safeParse(obj[key]);
    // a severity map given by the user changes the kinds it names; the others keep their defaults
    if (r.success)
      settings[key] = key === 'severity' ? { ...(settings[key] as object), ...(r.data as object) } : r.data;
    else
      problems.push(
        `${origin}: setting "${key}" is invalid ` +
          `(${r.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')}); ` +
          'using the default',
      );
  }
  for (const key of Object.keys(obj)) {
    if (Object.hasOwn(STARTUP_HINT, key)) {
      // what code is loaded is never decided by a tree or a workspace (an empty/false value asks for nothing)
      if (obj[key])
        problems.push(
          `${origin}: setting "${key}" is not read from here: it decides what code lockscope loads, ` +
            `so only the user sets it (${STARTUP_HINT[key as keyof typeof STARTUP_HINT]}); ignored`,
        );
    } else if (!Object.hasOwn(SETTINGS, key) && key !== 'trace')
      problems.push(`${origin}: unknown setting "${key}" ignored`);
  }
  return { settings: settings as unknown as Settings, problems };
}

/** Merge settings from several origins: arrays concatenate, maps merge, scalars: later wins. */
export function mergeSettings(base: Settings, over: Partial<Settings>): Settings {
  return {
    ...base,
    ...over,
    extraLocks: [...base.extraLocks, ...(over.extraLocks ?? [])],
    forbiddenCalls: [...base.forbiddenCalls, ...(over.forbiddenCalls ?? [])],
    loopMacros: [...base.loopMacros, ...(over.loopMacros ?? [])],
    severity: { ...base.severity, ...(over.severity ?? {}) },
  };
}

/** Read `.lockscope.json` from a folder, if present. */
export function readWorkspaceFile(dir: string): { settings?: Partial<Settings>; problems: string[] } {
  const file = path.join(dir, '.lockscope.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { problems: [] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { problems: [`${file}: not valid JSON (${(e as Error).message}); ignored`] };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    const got = raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw;
    return { problems: [`${file}: expected an object of settings, got ${got}; ignored`] };
  }
  const { settings, problems } = parseSettings(raw, file);
  const given: Partial<Settings> = {};
  for (const k of Object.keys(raw))
    if (Object.hasOwn(SETTINGS, k))
      (given as Record<string, unknown>)[k] = (settings as unknown as Record<string, unknown>)[k];
  return { settings: given, problems };
}

export function catalogFor(s: Settings): Catalog {
  return new Catalog(s.extraLocks, [], s.forbiddenCalls, s.builtinForbiddenCalls !== false);
}

export function severities(s: Settings): Partial<Record<Finding['kind'], Finding['severity']>> {
  const out: Partial<Record<Finding['kind'], Finding['severity']>> = {};
  for (const [k, v] of Object.entries(s.severity)) if (v && v !== 'off') out[k as Finding['kind']] = v;
  return out;
}
