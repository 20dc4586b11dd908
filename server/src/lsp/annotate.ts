/**
 * Code actions that write down what the engine inferred: where a function needs a lock held on entry
 * only because a callee asserts it (`lockdep_assert_held()` or `__must_hold()` further down), offer to
 * state it in the function itself — `lockdep_assert_held(x);` after the declarations (checked at run
 * time by lockdep) or `__must_hold(x)` on the definition (checked by sparse and read by lockscope).
 * The edit is only offered; lockscope never writes to a source by itself.
 */
import { type CodeAction, CodeActionKind, type TextEdit } from 'vscode-languageserver/node';
import type { FunctionInfo } from '../engine';
import type { Requirement } from '../engine/absint';

/** Lock kinds lockdep tracks, so `lockdep_assert_held()` means something for them. */
const LOCKDEP_KINDS = new Set(['mutex', 'rwsem', 'spinlock', 'rwlock']);
/** An expression we can write back into C as it is (no `[start, end]` ranges, no pseudo-names: `PG_locked(page)`). */
const C_EXPR = /^&?[A-Za-z_][\w]*(?:(?:->|\.)[A-Za-z_]\w*|\([\w\s*&>.-]*\))*(?:(?:->|\.)[A-Za-z_]\w*)*$/;
/** What states a requirement already, in the function's own text. */
const STATED = [
  'lockdep_assert_held',
  'lockdep_assert_held_write',
  'lockdep_assert_held_read',
  'lockdep_assert_held_once',
  '__must_hold',
];
const DECL =
  /^\s*(?:(?:const|static|struct|union|enum|unsigned|signed|volatile|register)\s+)*[A-Za-z_]\w*(?:\s+|\s*\*+\s*)\**\s*[A-Za-z_]\w*(?:\[[^\]]*\])?\s*(?:=.*)?[;,]\s*$|^\s*(?:DEFINE_|LIST_HEAD\(|LIST_HEAD_INIT|DECLARE_)/;

/** The assertion that states a callee's requirement (`lockdep_assert_held_write` stays `_write`). */
function assertionFor(r: Requirement): string {
  return /^lockdep_assert_held(?:_write|_read)?$/.test(r.via) ? r.via : 'lockdep_assert_held';
}

export function annotationActions(
  uri: string,
  fn: FunctionInfo,
  requires: Requirement[],
  lines: string[],
): CodeAction[] {
  const out: CodeAction[] = [];
  const body = fn.line - 1 + lines.slice(fn.line - 1, fn.endLine).findIndex((l) => l.includes('{'));
  if (body < fn.line - 1) return out;
  const text = lines.slice(fn.line - 1, fn.endLine).join('\n');
  for (const r of requires) {
    if (!r.callee || !(LOCKDEP_KINDS.has(r.ref.kind) || /^(?:lockdep_assert_held|assert_spin_locked)/.test(r.via)))
      continue;
    const expr = r.ref.display;
    if (!C_EXPR.test(expr) || STATED.some((s) => text.includes(`${s}(${expr})`))) continue;
    const assertion = assertionFor(r);
    out.push({
      title: `lockscope: add ${assertion}(${expr}) (${r.callee}() needs it held)`,
      kind: CodeActionKind.RefactorRewrite,
      edit: { changes: { [uri]: [assertEdit(lines, body, fn.endLine - 1, `${assertion}(${expr});`)] } },
    });
    out.push({
      title: `lockscope: add __must_hold(${expr}) to ${fn.name}() (${r.callee}() needs it held)`,
      kind: CodeActionKind.RefactorRewrite,
      edit: { changes: { [uri]: [mustHoldEdit(lines, body, `__must_hold(${expr})`)] } },
    });
  }
  return out;
}

/** After the opening brace and the declarations that follow it, in kernel style (a blank line after). */
function assertEdit(lines: string[], brace: number, last: number, statement: string): TextEdit {
  let at = brace + 1;
  while (at < last && DECL.test(lines[at])) at++;
  const indent = /^\s*/.exec(lines[at] ?? '')?.[0] || '\t';
  const blankBefore = at > brace + 1 && lines[at].trim() !== '';
  if (at > brace + 1 && lines[at].trim() === '') at++;
  const blankAfter = (lines[at] ?? '').trim() !== '' && !/^\s*}/.test(lines[at] ?? '');
  const text = `${blankBefore ? '\n' : ''}${indent}${statement}\n${blankAfter ? '\n' : ''}`;
  return { range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } }, newText: text };
}

/** Before the function's opening brace: on its own line when the brace is alone (kernel style). */
function mustHoldEdit(lines: string[], brace: number, annotation: string): TextEdit {
  const l = lines[brace];
  if (l.trim() === '{')
    return {
      range: { start: { line: brace, character: 0 }, end: { line: brace, character: 0 } },
      newText: `\t${annotation}\n`,
    };
  const col = l.indexOf('{');
  return {
    range: { start: { line: brace, character: col }, end: { line: brace, character: col } },
    newText: `${annotation} `,
  };
}
