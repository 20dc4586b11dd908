/** Parse errors in a function body: which change meaning (and silence the function) and which are harmless. */
import type { Node } from 'web-tree-sitter';
import { macroHeader } from '../syntax';

/** ERROR text that is a type or annotation passed where the grammar expects an expression. */
const HARMLESS_ERROR =
  /^(struct|union|enum|const|volatile|unsigned|signed|short|long|int|char|void|bool|u8|u16|u32|u64|s8|s16|s32|s64|__u\d+|__le\d+|__be\d+|__user|__rcu|__iomem|__percpu|__force|__bitwise|__kernel)\b/;

/**
 * How many parse errors in `body` change meaning; the common harmless ones (a type name as a macro
 * argument, `__user` in a parameter, a macro loop's missing `;`) are not counted.
 */
export function harmfulParseErrors(body: Node): number {
  const cursor = body.walk();
  let harmful = 0;
  const visit = (): void => {
    const n = cursor.currentNode;
    if (n.isMissing) {
      const harmless = n.type === ';' && !!n.parent && macroHeader(n.parent) !== undefined;
      if (!harmless) harmful++;
    } else if (n.isError) {
      const inArgs = ['argument_list', 'parameter_list', 'parameter_declaration'].includes(n.parent?.type ?? '');
      // sparse annotations and type names anywhere (casts, declarations); member paths in macro arguments
      const harmless = HARMLESS_ERROR.test(n.text.trim()) || (inArgs && /^[\w\s*.\->[\]]+$/.test(n.text));
      if (!harmless) harmful++;
      return; // do not descend into the error
    }
    if (n.hasError && cursor.gotoFirstChild()) {
      do visit();
      while (cursor.gotoNextSibling());
      cursor.gotoParent();
    }
  };
  // deleted here: web-tree-sitter's finalizer for a cursor left to the GC frees through its tree, which may be
  // gone by then
  try {
    visit();
  } finally {
    cursor.delete();
  }
  return harmful;
}
