/**
 * Which arm of a preprocessor conditional the build compiles, as far as a kernel configuration says
 * (model/kconfig.ts): `#ifdef CONFIG_X`, `#ifndef`, `#if` over `defined(CONFIG_X)`, `IS_ENABLED`,
 * `IS_BUILTIN`, `IS_MODULE`, `IS_REACHABLE`, `!`, `&&`, `||`, comparisons of numbers, `#elif`, `#elifdef`.
 * Three-valued: anything else (`defined(MODULE)`, `BITS_PER_LONG == 64`) is undecided, and so is an
 * expression that depends on it (`false && undecided` is still false). An undecided conditional keeps both
 * arms, as lockscope always did; only a decided one drops its dead arm.
 */
import type { Node } from 'web-tree-sitter';
import type { ConfigView } from '../model';

/** The conditionals a decision applies to (an `#else` has none: it is live exactly when its `#if` is not). */
const CONDITIONALS = new Set(['preproc_if', 'preproc_ifdef', 'preproc_elif', 'preproc_elifdef']);

export function isConditional(n: Node): boolean {
  return CONDITIONALS.has(n.type);
}

/**
 * Whether the first arm of conditional `n` (its own children, not its `alternative`) is compiled: true, false,
 * or undefined when the configuration does not decide it.
 */
export function decideConditional(n: Node, cfg: ConfigView): boolean | undefined {
  if (n.type === 'preproc_ifdef' || n.type === 'preproc_elifdef') {
    const name = n.childForFieldName('name')?.text;
    const d = name ? cfg.defined(name) : undefined;
    const negated = /^#\s*(el)?ifndef$/.test(n.children[0]?.text ?? '');
    return d === undefined ? undefined : d !== negated;
  }
  if (n.type === 'preproc_if' || n.type === 'preproc_elif') {
    const cond = n.childForFieldName('condition');
    const v = cond ? evaluate(cond, cfg, 0) : undefined;
    return v === undefined ? undefined : v !== 0;
  }
  return undefined;
}

/** The kconfig.h macros: what each is of a symbol's value (`y`, `m`, other, or unset). */
const KCONFIG_MACROS: Record<string, (v: string | null) => number | undefined> = {
  IS_ENABLED: (v) => (v === 'y' || v === 'm' ? 1 : 0),
  IS_BUILTIN: (v) => (v === 'y' ? 1 : 0),
  IS_MODULE: (v) => (v === 'm' ? 1 : 0),
  // built in, or a module seen from a module: whether this file is built as one is not known here
  IS_REACHABLE: (v) => (v === 'y' ? 1 : v === 'm' ? undefined : 0),
};

/** Past this nesting an expression is undecided (the recursion stays bounded whatever the input). */
const MAX_DEPTH = 64;

/** The value of a preprocessor expression (C's: a number, 0 false), or undefined where undecided. */
function evaluate(n: Node, cfg: ConfigView, depth: number): number | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const sub = (c: Node | null | undefined) => (c ? evaluate(c, cfg, depth + 1) : undefined);
  switch (n.type) {
    case 'number_literal': {
      const t = n.text.replace(/[uUlL]+$/, '');
      const v = /^0[xX][0-9a-fA-F]+$|^[0-9]+$/.test(t) ? Number(t) : NaN;
      return Number.isFinite(v) ? v : undefined;
    }
    case 'preproc_defined': {
      const name = n.namedChildren.find((c) => c?.type === 'identifier')?.text;
      const d = name ? cfg.defined(name) : undefined;
      return d === undefined ? undefined : d ? 1 : 0;
    }
    case 'identifier': {
      // an undefined identifier is 0 in #if; a defined CONFIG_ symbol is its value (1 for y)
      const v = cfg.value(n.text);
      if (v === undefined) return undefined;
      if (v === null || v === 'm') return 0;
      if (v === 'y') return 1;
      const num = /^-?[0-9]+$|^0[xX][0-9a-fA-F]+$/.test(v) ? Number(v) : NaN;
      return Number.isFinite(num) ? num : undefined;
    }
    case 'parenthesized_expression':
      return n.namedChildCount === 1 ? sub(n.namedChild(0)) : undefined;
    case 'unary_expression': {
      const op = n.childForFieldName('operator')?.text;
      const v = sub(n.childForFieldName('argument'));
      if (v === undefined) return undefined;
      return op === '!' ? (v ? 0 : 1) : op === '-' ? -v : op === '+' ? v : undefined;
    }
    case 'binary_expression':
      return binary(n, sub);
    case 'call_expression': {
      const fn = n.childForFieldName('function')?.text ?? '';
      const args = n.childForFieldName('arguments')?.namedChildren.filter((c) => c?.type !== 'comment') ?? [];
      const macro = Object.hasOwn(KCONFIG_MACROS, fn) ? KCONFIG_MACROS[fn] : undefined;
      if (!macro || args.length !== 1 || args[0]?.type !== 'identifier') return undefined;
      const v = cfg.value(args[0].text);
      return v === undefined ? undefined : macro(v);
    }
    default:
      return undefined;
  }
}

function binary(n: Node, sub: (c: Node | null | undefined) => number | undefined): number | undefined {
  const op = n.childForFieldName('operator')?.text;
  const l = sub(n.childForFieldName('left'));
  const r = sub(n.childForFieldName('right'));
  // short-circuit: one decided side settles && and || whatever the other is
  if (op === '&&') return l === 0 || r === 0 ? 0 : l !== undefined && r !== undefined ? 1 : undefined;
  if (op === '||')
    return (l !== undefined && l !== 0) || (r !== undefined && r !== 0) ? 1 : l === 0 && r === 0 ? 0 : undefined;
  if (l === undefined || r === undefined) return undefined;
  switch (op) {
    case '==':
      return +(l === r);
    case '!=':
      return +(l !== r);
    case '<':
      return +(l < r);
    case '>':
      return +(l > r);
    case '<=':
      return +(l <= r);
    case '>=':
      return +(l >= r);
    default:
      return undefined;
  }
}
