/**
 * Templates relative to a function's parameters (`{0}->i_rwsem`): made from a text of the function, and named
 * again with a call's arguments.
 */
import type { FunctionIR } from '../ir';
import { normaliseExpr } from '../ir';

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
