/**
 * Predicates defined as functions (`static inline int foo_log_failed(struct foo_log *log) { return log->flags &
 * FOO_LOG_FAILED; }`): a function whose body only returns a pure test of its parameters. A condition that calls
 * one is a fact about that test, so it must read as the test itself: `log->flags |= FOO_LOG_FAILED` in a caller
 * makes `!foo_log_failed(log)` false two calls down (a guard, absint/guard.ts), and `if (log->flags &
 * FOO_LOG_FAILED)` and `if (foo_log_failed(log))` agree. Told apart once the tree is linked, as accessors are
 * (accessors.ts): the definition may be in a header the file includes or in another file.
 *
 * Only bodies with no side effect qualify: no assignment, no increment, and no call other than the bit and
 * annotation helpers whose value is a plain read (a predicate that counts its calls is not its test).
 */
import type { Node } from 'web-tree-sitter';
import { type FunctionIR, normaliseExpr, splitTopLevel } from '../ir';

/** Calls a predicate's body may make: reads with no effect (their value is stable as long as the memory is). */
const READS = new Set(['test_bit', 'constant_test_bit', 'READ_ONCE', 'likely', 'unlikely']);

/** Expansions nest this deep at most (`is_handle_aborted(h)` → `is_journal_aborted(h->..)` → the test). */
const MAX_NESTING = 4;

function pureRead(n: Node, params: readonly string[]): boolean {
  switch (n.type) {
    case 'comment':
    case 'number_literal':
    case 'true':
    case 'false':
    case 'null':
    case 'field_identifier':
      return true;
    case 'identifier':
      // a parameter, or a constant (an upper-case macro or enumerator); never a global that may change
      return params.includes(n.text) || /^[A-Z][A-Z0-9_]*$/.test(n.text);
    case 'call_expression': {
      const fn = n.childForFieldName('function');
      // any function for now: a call that is neither a read nor another predicate is refused on expansion
      if (fn?.type !== 'identifier') return false;
      const args = n.childForFieldName('arguments');
      return !!args && args.namedChildren.every((c) => !c || pureRead(c, params));
    }
    case 'assignment_expression':
    case 'update_expression':
    case 'compound_statement':
    case 'comma_expression':
    case 'conditional_expression':
    case 'ERROR':
      return false;
    default:
      return n.namedChildren.every((c) => !c || c.type === 'type_descriptor' || pureRead(c, params));
  }
}

/**
 * The template of a predicate definition (`{0}->flags&FOO_LOG_FAILED`), or undefined when the body is not one
 * `return` of a pure test over the parameters (calls in it are checked when it is expanded).
 */
export function predicateTemplate(def: Node, params: readonly string[]): string | undefined {
  if (!params.length) return undefined;
  const body = def.childForFieldName('body');
  const stmts = body?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
  if (stmts.length !== 1 || stmts[0]?.type !== 'return_statement') return undefined;
  const e = stmts[0].namedChildren.find((c) => c && c.type !== 'comment');
  if (!e || e.type === 'identifier' || e.type === 'number_literal') return undefined;
  if (!pureRead(e, params)) return undefined;
  // a test reads at least one parameter (a constant is not a predicate of anything)
  let reads = false;
  const text = normaliseExpr(e.text).replace(
    /(->|\.)?\b([A-Za-z_]\w*)\b/g,
    (m, sel: string | undefined, id: string) => {
      if (sel) return m;
      const i = params.indexOf(id);
      if (i < 0) return m;
      reads = true;
      return `{${i}}`;
    },
  );
  return reads ? text : undefined;
}

/** `fn(args)` over the whole text, with its arguments split at top-level commas. */
function wholeCall(text: string): { fn: string; args: string[] } | undefined {
  const m = /^([A-Za-z_]\w*)\((.*)\)$/.exec(text);
  if (!m) return undefined;
  // the parentheses must be the call's own: `f(a)&(b)` is not one call
  let depth = 0;
  for (let i = m[1].length; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0 && i !== text.length - 1) return undefined;
  }
  return { fn: m[1], args: m[2].trim() ? splitTopLevel(m[2]) : [] };
}

/** A fact text with predicate calls replaced by their tests, or undefined when it calls none. */
export function expandPredicate(text: string, predicateOf: (fn: string) => string | undefined): string | undefined {
  let cur = text;
  let changed = false;
  for (let depth = 0; depth < MAX_NESTING; depth++) {
    const c = wholeCall(cur);
    const template = c && predicateOf(c.fn);
    if (!c || !template) break;
    let bad = false;
    const next = template.replace(/\{(\d+)\}/g, (_m, i: string) => {
      const a = c.args[Number(i)];
      if (a === undefined) bad = true;
      return `(${a ?? '?'})`;
    });
    if (bad) break;
    cur = normaliseExpr(next);
    changed = true;
  }
  // what is left may call only reads: a predicate over another function's answer is that function's call
  for (const m of cur.matchAll(/([A-Za-z_]\w*)\(/g)) if (!READS.has(m[1])) return undefined;
  return changed ? cur : undefined;
}

/**
 * Rewrite the branch facts of `ir` that test a predicate call into the predicate's test. Returns whether
 * anything changed.
 */
export function expandPredicates(ir: FunctionIR, predicateOf: (fn: string) => string | undefined): boolean {
  let changed = false;
  for (const n of ir.nodes) {
    for (const e of n.succ) {
      const fact = e.guard?.fact;
      if (!fact) continue;
      const text = expandPredicate(fact.text, predicateOf);
      if (text === undefined) continue;
      e.guard = { ...e.guard, fact: { ...fact, text } };
      changed = true;
    }
  }
  return changed;
}
