/**
 * A kernel configuration (`.config`), as data: which CONFIG_ symbols are set and to what. It decides which
 * arm of `#ifdef CONFIG_X` / `#if IS_ENABLED(CONFIG_X)` is analysed (syntax/conditionals.ts) and which files
 * the build compiles at all (link/kbuild.ts). Without one, only the debug-only symbols (DEBUG_ONLY below) are
 * decided, as unset: code that exists to check or report on other code (lockdep, kmemleak, KASAN and KCSAN
 * reports, KUnit tests) takes locks of its own that no production kernel has, and its findings are noise.
 *
 * The file is data, not code: it is parsed strictly, line by line, as `make` writes it; a line that is
 * neither `CONFIG_X=value`, `# CONFIG_X is not set`, another comment nor blank makes the whole file
 * rejected with a message naming the line, rather than half-read.
 */

/** A parsed `.config`: symbol (with its CONFIG_ prefix) to value as written (`y`, `m`, `"text"`, `64`, `0x10`). */
export interface KernelConfig {
  /** Where it was read from, for messages (never part of a cache key). */
  origin: string;
  values: Record<string, string>;
}

const SYMBOL = /^CONFIG_[A-Za-z0-9_]+$/;
const ASSIGN = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const NOT_SET = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/;
/** A value as kconfig writes one: y/m/n, a decimal or hex number, or a double-quoted string with \" and \\ escapes. */
const VALUE = /^(?:[ymn]|-?[0-9]+|0[xX][0-9a-fA-F]+|"(?:[^"\\]|\\.)*")$/;

/** Past this size a file is not a .config (Linux 6.1's allyesconfig is about 300 KiB). */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/** How many bad lines a message names before it stops counting them one by one. */
const SHOWN_PROBLEMS = 5;

/** Parse the text of a `.config`; `origin` names it in messages. A file with any bad line gives no config. */
export function parseKernelConfig(text: string, origin: string): { config?: KernelConfig; problems: string[] } {
  if (text.length > MAX_CONFIG_BYTES)
    return { problems: [`${origin}: ${text.length} bytes is too large for a kernel .config; not used`] };
  if (text.includes('\0')) return { problems: [`${origin}: a binary file, not a kernel .config; not used`] };
  const values: Record<string, string> = {};
  const bad: string[] = [];
  let badCount = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const unset = NOT_SET.exec(line);
    if (unset) {
      delete values[unset[1]];
      return;
    }
    if (line.startsWith('#')) return;
    const m = ASSIGN.exec(line);
    const why = !m
      ? 'expected CONFIG_NAME=value or "# CONFIG_NAME is not set"'
      : !VALUE.test(m[2])
        ? 'the value is not y, m, n, a number or a double-quoted string'
        : undefined;
    if (why) {
      badCount++;
      if (bad.length < SHOWN_PROBLEMS) bad.push(`line ${i + 1}: ${why}: ${JSON.stringify(clip(line))}`);
      return;
    }
    // `CONFIG_X=n` is what `# CONFIG_X is not set` says (kconfig writes the comment; people write the line)
    if (m![2] === 'n') delete values[m![1]];
    else values[m![1]] = m![2];
  });
  if (badCount) {
    const more = badCount > bad.length ? `; and ${badCount - bad.length} more` : '';
    return {
      problems: [`${origin}: not a kernel .config (${bad.join('; ')}${more}); not used, as if there were none`],
    };
  }
  return { config: { origin, values }, problems: [] };
}

const clip = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}...` : s);

/**
 * The debug-only symbols, assumed unset when there is no .config. The rule: a symbol whose only purpose is to
 * check, trace or test other kernel code (its code takes locks no production kernel takes). CONFIG_DEBUG_FS is
 * not one: debugfs is an interface distribution kernels build, and its code runs there.
 */
export const DEBUG_ONLY: readonly RegExp[] = [
  /^CONFIG_DEBUG_(?!FS$|FS_)\w+$/, // DEBUG_KMEMLEAK, DEBUG_LOCK_ALLOC, DEBUG_SPINLOCK, DEBUG_VM ...
  /^CONFIG_(KASAN|KCSAN|KMSAN)(_\w+)?$/, // the sanitizers and their report code
  /^CONFIG_\w*KUNIT\w*$/, // KUnit and every subsystem's KUnit tests (EXT4_KUNIT_TESTS ...)
  /^CONFIG_(LOCKDEP|LOCKDEP_\w+|PROVE_LOCKING|PROVE_RCU\w*|LOCK_STAT)$/, // lockdep's internals
];

export function isDebugOnly(symbol: string): boolean {
  return DEBUG_ONLY.some((r) => r.test(symbol));
}

/**
 * What the analysis asks of a configuration: a symbol's value, `null` when it is decided unset, `undefined`
 * when nothing says (no .config, and not a debug-only symbol): then both arms are analysed, as without one.
 */
export class ConfigView {
  constructor(readonly config?: KernelConfig) {}

  value(symbol: string): string | null | undefined {
    if (!SYMBOL.test(symbol)) return undefined;
    if (this.config) return Object.hasOwn(this.config.values, symbol) ? this.config.values[symbol] : null;
    return isDebugOnly(symbol) ? null : undefined;
  }

  /**
   * Whether the preprocessor sees `symbol` defined. As include/generated/autoconf.h has it: `=y` and any
   * number or string define CONFIG_X; `=m` defines CONFIG_X_MODULE instead.
   */
  defined(symbol: string): boolean | undefined {
    const v = this.value(symbol);
    if (typeof v === 'string') return v !== 'm';
    const module = /^(CONFIG_\w+)_MODULE$/.exec(symbol);
    const of = module ? this.value(module[1]) : undefined;
    if (typeof of === 'string') return of === 'm';
    return v === null || of === null ? false : undefined;
  }

  /** A build condition of a Kbuild file (`y`, `m`, or a symbol without its prefix): is the object built? */
  builds(cond: string): boolean | undefined {
    if (cond === 'y' || cond === 'm') return true;
    const v = this.value(`CONFIG_${cond}`);
    return v === undefined ? undefined : v === 'y' || v === 'm';
  }
}
