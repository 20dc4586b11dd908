/**
 * How deeply a syntax tree nests, measured without recursion (a TreeCursor walk), so that a function
 * nested deeper than the engine's recursive walks can take is found before any of them starts.
 */
import type { Node } from 'web-tree-sitter';

/** The deepest nesting below `node` (0 for a leaf), stopping once `cap` is passed. */
export function nestingDepth(node: Node, cap = Infinity): number {
  const cursor = node.walk();
  let depth = 0;
  let max = 0;
  try {
    for (;;) {
      if (cursor.gotoFirstChild()) {
        depth++;
        if (depth > max) max = depth;
        if (max > cap) return max;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || --depth <= 0) return max;
      }
    }
  } finally {
    cursor.delete();
  }
}
