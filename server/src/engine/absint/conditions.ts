/**
 * What a summary says happens only under a test of a parameter (`if (wait) wait_on_bit(..)`, `if (!gc_only)
 * f2fs_write_checkpoint(..)`, `if (gfpflags_allow_blocking(gfp)) cond_resched()`): the tests on the path, kept
 * with the lock taken or the sleep, and decided at each call with the caller's arguments. A test the arguments
 * do not decide passes up, in the caller's terms, when it is a test of one of the caller's own parameters.
 */
import type { FunctionIR } from '../ir';
import { normaliseExpr } from '../ir';
import type { Facts, State } from './domain';
import type { Macros } from '../syntax';

/** A test of one parameter (`{1}` for `if (wait)`, `{2}&FOO_NOWAIT`) and the value it has on the path. */
export interface ParamTest {
  test: string;
  value: boolean;
}

/** Every parameter named in `text` becomes `{i}`; undefined when it names a local. */
export function paramTemplate(text: string, ir: FunctionIR): string | undefined {
  let bad = false;
  const out = text.replace(/(->|\.)?\b([A-Za-z_]\w*)\b/g, (m, sel: string | undefined, id: string) => {
    if (sel) return m;
    const i = ir.params.indexOf(id);
    if (i >= 0) return `{${i}}`;
    if (ir.locals.has(id)) bad = true;
    return m;
  });
  return bad ? undefined : out;
}

/** Tests kept per entry: more say little more and cost every caller. */
const MAX_TESTS = 3;

/** A fact text that is a test of one parameter, as a template; undefined otherwise. */
function paramTest(text: string, ir: FunctionIR): string | undefined {
  const t = paramTemplate(text, ir);
  return t !== undefined && /^\{\d+\}(?:&[A-Za-z_]\w*)?$/.test(t) ? t : undefined;
}

/** The tests of parameters every disjunct of the path's facts agrees on (at most MAX_TESTS). */
export function pathTests(ir: FunctionIR, st: State): ParamTest[] {
  const out: ParamTest[] = [];
  const first = st.facts.conj[0];
  if (!first) return out;
  for (const [text, value] of first) {
    if (st.facts.get(text) !== value) continue;
    const test = paramTest(text, ir);
    if (test !== undefined && !out.some((t) => t.test === test)) out.push({ test, value });
    if (out.length >= MAX_TESTS) break;
  }
  return out;
}

/** Caller-terms tests (what `decide` left undecided) as tests of this function's parameters; others are dropped. */
export function relativeTests(tests: readonly ParamTest[] | undefined, ir: FunctionIR): ParamTest[] {
  const out: ParamTest[] = [];
  for (const t of tests ?? []) {
    const test = paramTest(t.test, ir);
    if (test !== undefined && !out.some((o) => o.test === test)) out.push({ test, value: t.value });
  }
  return out;
}

/** Both lists, without repeats (at most MAX_TESTS): a path under all of them. */
export function allOf(a: readonly ParamTest[], b: readonly ParamTest[]): ParamTest[] {
  const out = [...a];
  for (const t of b) if (!out.some((o) => o.test === t.test)) out.push(t);
  return out.slice(0, MAX_TESTS);
}

/** What two paths to the same thing have in common: it happens under the tests both make. */
export function commonTests(a: readonly ParamTest[], b: readonly ParamTest[]): ParamTest[] {
  return a.filter((t) => b.some((o) => o.test === t.test && o.value === t.value));
}

/** `{0}->i_rwsem` with the call's arguments; undefined when an argument cannot be named. */
export function substitute(template: string, args: readonly (string | undefined)[]): string | undefined {
  let missing = false;
  const out = template.replace(/\{(\d+)\}/g, (_m, i: string) => {
    const a = args[Number(i)];
    if (a === undefined) {
      missing = true;
      return '?';
    }
    return `(${a})`;
  });
  return missing ? undefined : normaliseExpr(out);
}

/**
 * A parameter test with the call's arguments: `{0}` alone is the argument's truth; `{1}&NAME` is true
 * when NAME is one of the flags or-ed into the argument (flags are distinct bits). Undefined when the
 * argument is not a constant we can read.
 */
export function evaluateTest(
  test: string,
  args: readonly (string | undefined)[],
  macros?: Macros,
): boolean | undefined {
  const m = /^\{(\d+)\}(?:&([A-Za-z_]\w*))?$/.exec(test);
  if (!m) return undefined;
  const arg = args[Number(m[1])];
  if (arg === undefined) return undefined;
  const a = normaliseExpr(arg);
  if (!m[2]) {
    if (/^(0|false|NULL)$/.test(a)) return false;
    if (/^([1-9]\d*|true)$/.test(a)) return true;
    const v = macros?.value(a);
    return v === undefined ? undefined : v !== 0;
  }
  // with the macros' values (masks, aliases), else by name: flags are distinct bits
  const av = macros?.value(a);
  const fv = macros?.value(m[2]);
  if (av !== undefined && fv !== undefined) return (av & fv) !== 0;
  const flags = a.replace(/[()]/g, '').split('|');
  if (a === '0') return false;
  if (!flags.every((f) => /^[A-Z_][A-Z0-9_]*$/.test(f))) return undefined;
  return flags.includes(m[2]);
}

/**
 * A summary's tests at a call: undefined when the arguments rule the path out (`free_segment_range(sbi, n,
 * true)` for a path under `!gc_only`); else the tests they leave open, in the caller's terms.
 */
export function decide(
  tests: readonly ParamTest[] | undefined,
  args: readonly (string | undefined)[],
  macros?: Macros,
  facts?: Facts,
): ParamTest[] | undefined {
  const open: ParamTest[] = [];
  for (const t of tests ?? []) {
    const v = evaluateTest(t.test, args, macros);
    if (v === undefined) {
      const text = substitute(t.test, args);
      if (text === undefined) continue;
      // the caller has tested the same thing on this path (`if (wait) helper(x, wait)`)
      const known = facts?.get(text);
      if (known !== undefined && known !== t.value) return undefined;
      if (known === undefined) open.push({ test: text, value: t.value });
    } else if (v !== t.value) {
      return undefined;
    }
  }
  return open;
}
