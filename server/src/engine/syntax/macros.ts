/**
 * Integer macros from the headers (`#define XFS_ILOCK_EXCL (1u << 2)`), so that a flag test in a
 * wrapper (`if (lock_flags & XFS_ILOCK_MASK)`) is evaluated with the real bits a caller passes.
 */
import type { Node } from 'web-tree-sitter';

/** `#define NAME value` (object-like: the name is not followed by `(`). */
const DEFINE = /^[ \t]*#[ \t]*define[ \t]+([A-Z_][A-Z0-9_]*)[ \t]+([^\n]*)$/gm;
/** Any other `#define NAME`: empty (`#define FOO_DEBUG`) or function-like (`#define FOO(x)`). */
const NAMED = /^[ \t]*#[ \t]*define[ \t]+([A-Z_][A-Z0-9_]*)(?=\(|[ \t]*$)/gm;
/** `#undef NAME`. */
const UNDEF = /^[ \t]*#[ \t]*undef[ \t]+([A-Z_][A-Z0-9_]*)[ \t]*$/gm;
/** The entry of a name that is undefined somewhere and (so far) defined nowhere. */
const UNDEFINED = '#undef';

/** Which of two entries of one name a table keeps: a value over a bare definition over an `#undef`. */
const rank = (v: string | undefined): number => (v === undefined ? -1 : v === UNDEFINED ? 0 : v === '' ? 1 : 2);

export class Macros {
  private readonly raw = new Map<string, string>();
  private readonly cache = new Map<string, number | null>();

  /** Object-like macros with an upper-case name, from the text (a regex over lines is far cheaper than a tree walk). */
  addTree(root: Node): void {
    this.addText(root.text);
  }

  addText(text: string): void {
    if (text.includes('#undef') || text.includes('# undef')) {
      UNDEF.lastIndex = 0;
      for (let m = UNDEF.exec(text); m; m = UNDEF.exec(text)) this.put(m[1], UNDEFINED);
    }
    if (!text.includes('define')) return;
    NAMED.lastIndex = 0;
    for (let m = NAMED.exec(text); m; m = NAMED.exec(text)) this.put(m[1], '');
    DEFINE.lastIndex = 0;
    for (let m = DEFINE.exec(text); m; m = DEFINE.exec(text)) {
      const name = m[1];
      // a continued line is not an integer expression; trailing comments are not part of the value
      if (m[2].endsWith('\\')) continue;
      const value = m[2]
        .replace(/\/\*.*?\*\//g, ' ')
        .replace(/\/\/.*$/, '')
        .trim();
      if (value) this.put(name, value);
    }
  }

  /** Keep `value` for `name` unless the table has a better entry (the first value wins, as in file order). */
  private put(name: string, value: string): void {
    if (rank(value) > rank(this.raw.get(name))) this.raw.set(name, value);
  }

  /**
   * Whether `#ifdef name` is known false: the tree undefines it (`#undef FOO_DEBUG`, a debug switch kept
   * off in a header) and defines it nowhere. A `-D` from a Makefile is not seen.
   */
  isOff(name: string): boolean {
    return this.raw.get(name) === UNDEFINED;
  }

  /** The macros read, for merging into another table in file order. */
  entries(): Map<string, string> {
    return this.raw;
  }

  /** Add another file's macros (the first definition wins, as when reading trees in order). */
  merge(raw: ReadonlyMap<string, string>): void {
    for (const [k, v] of raw) this.put(k, v);
    this.cache.clear();
  }

  /** The value of an integer expression over numbers, macros, `|`, `<<` and parentheses; undefined otherwise. */
  value(expr: string, depth = 0): number | undefined {
    if (depth > 8) return undefined;
    const e = expr.replace(/\s+/g, '').replace(/\b(\d+|0x[0-9a-fA-F]+)[uUlL]+\b/g, '$1');
    const whole = /^\((.*)\)$/.exec(e);
    if (whole && balanced(whole[1])) return this.value(whole[1], depth + 1);
    const parts = splitTop(e, '|');
    if (parts.length > 1) {
      let v = 0;
      for (const p of parts) {
        const x = this.value(p, depth + 1);
        if (x === undefined) return undefined;
        v |= x;
      }
      return v >>> 0;
    }
    const shift = splitTop(e, '<<');
    if (shift.length === 2) {
      const a = this.value(shift[0], depth + 1);
      const b = this.value(shift[1], depth + 1);
      return a === undefined || b === undefined || b > 31 ? undefined : (a << b) >>> 0;
    }
    if (/^(0x[0-9a-fA-F]+|\d+)$/.test(e)) return Number(e);
    if (/^[A-Z_][A-Z0-9_]*$/.test(e)) {
      if (this.cache.has(e)) return this.cache.get(e) ?? undefined;
      this.cache.set(e, null); // cycles
      const raw = this.raw.get(e);
      const v = raw === undefined ? undefined : this.value(raw, depth + 1);
      this.cache.set(e, v ?? null);
      return v;
    }
    return undefined;
  }
}

/** Whether the parentheses in `s` balance (never closing more than are open). */
export function balanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '(') d++;
    else if (c === ')' && --d < 0) return false;
  }
  return d === 0;
}

function splitTop(s: string, op: string): string[] {
  const out: string[] = [];
  let d = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') d++;
    else if (s[i] === ')') d--;
    else if (d === 0 && s.startsWith(op, i) && !(op === '|' && (s[i + 1] === '|' || s[i - 1] === '|'))) {
      out.push(s.slice(start, i));
      start = i + op.length;
      i += op.length - 1;
    }
  }
  out.push(s.slice(start));
  return out;
}
