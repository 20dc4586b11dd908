/**
 * Statements the C grammar reads as declarations although they are calls. A call whose argument is a
 * kernel macro taking a type — `put_thing(container_of(p, struct thing, node));` — cannot be an expression
 * to tree-sitter (`struct thing` is no expression), so it picks a declaration reading: a
 * `macro_type_specifier` with no declarator, or a declaration of `(inner(...))` with a parenthesised
 * declarator. Without this the call vanishes from the function, and with it whatever the callee does to
 * locks. `reparseAsCall` parses the statement's text again in an expression position, at the same offset,
 * row and column, so the call it returns carries the statement's own sites.
 */
import { Parser, type Language, type Node, type Tree } from 'web-tree-sitter';

const parsers = new WeakMap<Language, Parser>();

/** Statement-level shapes that are a call the grammar read as a declaration. */
export function declarationLikeCall(n: Node): boolean {
  if (!/^[A-Za-z_]\w*\s*\(/.test(n.text)) return false;
  if (n.type === 'macro_type_specifier') return true;
  if (n.type !== 'declaration') return false;
  // `name (inner(args...));`: a declarator that is only a parenthesised function declarator, after a plain
  // type name (a real prototype in a body has a primitive or struct type and no parentheses around its name)
  const type = n.childForFieldName('type');
  const decls = n.childrenForFieldName('declarator').filter((d): d is Node => !!d);
  return (
    type?.type === 'type_identifier' &&
    decls.length === 1 &&
    decls[0].type === 'parenthesized_declarator' &&
    decls[0].namedChildren.some((c) => c?.type === 'function_declarator')
  );
}

export interface Reparsed {
  call: Node;
  /** Free the tree once the call has been walked. */
  done(): void;
}

/** The statement's text parsed as a call expression at its own position, or undefined when it is none. */
export function reparseAsCall(n: Node): Reparsed | undefined {
  const language = n.tree.language;
  let parser = parsers.get(language);
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(language);
    parsers.set(language, parser);
  }
  const { row, column } = n.startPosition;
  const wrapper = 'void __lockscope_reparse(void){(void)';
  // everything before the statement: the wrapper and blanks, with the same length, rows and column
  const before = n.startIndex - column - row;
  if (before < wrapper.length) return undefined;
  const text = n.text.replace(/;\s*$/, '');
  const source = wrapper + ' '.repeat(before - wrapper.length) + '\n'.repeat(row) + ' '.repeat(column) + text + ';}\n';
  let tree: Tree | null;
  try {
    tree = parser.parse(source);
  } catch {
    return undefined;
  }
  if (!tree) return undefined;
  const t = tree;
  const stmt = t.rootNode.descendantForIndex(n.startIndex);
  let call: Node | null = stmt;
  while (call && call.type !== 'call_expression') call = call.parent;
  // the outermost call that starts at the statement
  while (call?.parent?.type === 'call_expression' && call.parent.startIndex === n.startIndex) call = call.parent;
  if (!call || call.startIndex !== n.startIndex || call.parent?.type !== 'cast_expression') {
    t.delete();
    return undefined;
  }
  return { call, done: () => t.delete() };
}
