/**
 * Kernel idioms that tree-sitter-c parses imperfectly, recognised in one place.
 *
 * - `list_for_each_entry(pos, head, member) { ... }` and `scoped_guard(mutex, &m) { ... }` come out
 *   as an expression statement holding a call with a MISSING `;`, followed by a sibling statement.
 * - `__acquires(x)` / `__releases(x)` / `__must_hold(x)` after a declarator come out as ERROR nodes
 *   or a stray call inside the declarator, so they are read from the text between `)` and `{`.
 */
import type { Node } from 'web-tree-sitter';
import { keysOfAnnotation } from '../ir';

/** A call statement missing its `;` whose next sibling is the body of a macro. */
export function macroHeader(stmt: Node): Node | undefined {
  if (stmt.type !== 'expression_statement') return undefined;
  const call = stmt.namedChild(0);
  if (!call || call.type !== 'call_expression') return undefined;
  const fn = call.childForFieldName('function');
  if (!fn || fn.type !== 'identifier') return undefined;
  let missing = false;
  for (const c of stmt.children) if (c && c.isMissing) missing = true;
  return missing ? call : undefined;
}

const LOOP_MACRO = /(^|_)for_each(_|$)|foreach|_each_|^for_|_iterate(_|$)|^while_/;

export type MacroBlockKind = 'loop' | 'scoped-guard' | 'block';

export function macroBlockKind(name: string, extraLoops: ReadonlySet<string>): MacroBlockKind {
  if (name === 'scoped_guard') return 'scoped-guard';
  if (LOOP_MACRO.test(name) || extraLoops.has(name)) return 'loop';
  return 'block';
}

/** The argument nodes of a call, without comments. */
export function callArgs(call: Node): Node[] {
  const list = call.childForFieldName('arguments');
  if (!list) return [];
  return list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}

/** The name a call is made to, when it is a plain identifier. */
export function calleeName(call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  return fn && fn.type === 'identifier' ? fn.text : undefined;
}

/** Parameter names of a function definition, in order. */
export function parameterNames(fnDecl: Node | null): string[] {
  const params = fnDecl?.childForFieldName('parameters');
  if (!params) return [];
  const names: string[] = [];
  for (const p of params.namedChildren) {
    if (!p || p.type !== 'parameter_declaration') continue;
    let d: Node | null = p.childForFieldName('declarator');
    while (d && d.type !== 'identifier') {
      // (`void (*release)(struct kref *)`: a parenthesized declarator has its pointer declarator as a plain child)
      d =
        d.childForFieldName('declarator') ??
        d.namedChildren.find((c) => c?.type === 'identifier') ??
        d.namedChildren.find((c) => !!c && c.type.endsWith('declarator')) ??
        null;
    }
    names.push(d ? d.text : '');
  }
  return names;
}

/** The function_declarator under a definition's declarator (through pointers and attributes). */
export function functionDeclarator(def: Node): Node | null {
  let d: Node | null = def.childForFieldName('declarator');
  while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
  return d;
}

/**
 * The name of a function definition. `int __init foo(void)` (an attribute macro before the name, and
 * `(void)`) parses as a declaration `int __init` without its `;`, then a definition of type `foo`
 * whose declarator is `(void)`: there the name is the type.
 */
export function functionName(def: Node): string | undefined {
  const fd = functionDeclarator(def);
  if (!fd) {
    const type = def.childForFieldName('type');
    return def.childForFieldName('declarator')?.type === 'parenthesized_declarator' && type?.type === 'type_identifier'
      ? type.text
      : undefined;
  }
  let d: Node | null = fd.childForFieldName('declarator');
  while (d && d.type !== 'identifier') {
    if (
      d.type === 'function_declarator' ||
      d.type === 'pointer_declarator' ||
      d.type === 'parenthesized_declarator' ||
      d.type === 'attributed_declarator'
    ) {
      d = d.childForFieldName('declarator') ?? d.namedChild(0);
    } else return undefined;
  }
  return d?.text;
}

export interface Annotations {
  acquires: string[][];
  releases: string[][];
  mustHold: string[][];
}

/** Sparse context annotations written between the parameter list and the body. */
export function readAnnotations(text: string): Annotations {
  const out: Annotations = { acquires: [], releases: [], mustHold: [] };
  const re = /__(acquires|releases|must_hold)\s*\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    let depth = 1;
    let i = re.lastIndex;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')') depth--;
    }
    const arg = text.slice(re.lastIndex, i - 1).trim();
    if (!arg) continue;
    const keys = keysOfAnnotation(arg);
    if (m[1] === 'acquires') out.acquires.push(keys);
    else if (m[1] === 'releases') out.releases.push(keys);
    else out.mustHold.push(keys);
  }
  return out;
}

/** Literal value of a constant condition (`0`, `1`, `true`, `false`, `NULL`), if it is one. */
export function constantTruth(n: Node): boolean | undefined {
  if (n.type === 'number_literal') {
    const v = Number(n.text.replace(/[uUlL]+$/, ''));
    return Number.isNaN(v) ? undefined : v !== 0;
  }
  if (n.type === 'true') return true;
  if (n.type === 'false') return false;
  if (n.type === 'null' || n.text === 'NULL') return false;
  return undefined;
}
