/**
 * A struct initialised in its declaration (`struct cp_control cpc = { CP_RESIZE, 0 };`, `{ .reason = CP_SYNC }`):
 * each member given a constant is stored as by an assignment (`cpc.reason = CP_RESIZE`), so a callee's guard on
 * the field (`cpc->reason != CP_RESIZE`, absint/guard.ts) is decided at a call given `&cpc`. A member given by
 * position is named by its place (`cpc.#0`) until the struct's declared fields name it (syntax/ctypes.ts).
 */
import type { Node } from 'web-tree-sitter';
import { constantText, constantValue, unparen } from './base';

/** The stores an initialiser list makes into the members of `id`: the constant ones. */
export function memberStores(
  id: string,
  list: Node,
): { name: string; value: boolean | undefined; constText: string | undefined }[] {
  const out: { name: string; value: boolean | undefined; constText: string | undefined }[] = [];
  let place = 0;
  for (const el of list.namedChildren) {
    if (!el || el.type === 'comment') continue;
    let field: string | undefined;
    let v: Node | null = el;
    if (el.type === 'initializer_pair') {
      const ds = el.childrenForFieldName('designator');
      field = ds.length === 1 && ds[0]?.type === 'field_designator' ? ds[0].namedChildren[0]?.text : undefined;
      // after a designator, places no longer follow the declaration order
      place = -1;
      v = el.childForFieldName('value');
    } else if (place >= 0) field = `#${place++}`;
    const c = v ? unparen(v) : null;
    const constText = c ? constantText(c) : undefined;
    const value = c ? constantValue(c) : undefined;
    if (field && (constText !== undefined || value !== undefined))
      out.push({ name: `${id}.${field}`, value, constText });
  }
  return out;
}
