/**
 * The code action "Annotate with inferred lock contract": on a function definition's header (or on a
 * missing-required-lock, lock-imbalance or unlock-not-held diagnostic inside it), the edits `lockscope contracts`
 * would put in its diff for that function (engine/contracts): `__must_hold()` / `__acquires()` / `__releases()`
 * after the parameter list, `lockdep_assert_held()` first in the body. Offered only; the editor applies it when
 * the user chooses it.
 */
import { type CodeAction, CodeActionKind, type Diagnostic, type TextEdit } from 'vscode-languageserver/node';
import { type FileResult, functionAt } from '../engine';
import { type ContractInput, fileContracts, findDefinition, lockKinds } from '../engine/contracts';

/** Findings a written contract speaks to: a lock needed on entry, or held or released across the exit. */
const ABOUT_CONTRACTS = new Set(['missing-required-lock', 'lock-imbalance', 'unlock-not-held']);

export const ANNOTATE_TITLE = 'Annotate with inferred lock contract';

export function contractActions(
  uri: string,
  r: FileResult,
  text: string,
  line: number,
  diagnostics: readonly Diagnostic[],
  /** The ops-table field a function is stored in (a method: its callers hold what the interface says). */
  methodOf: (name: string) => string | undefined = () => undefined,
): CodeAction[] {
  const fn = functionAt(r, line + 1);
  if (!fn) return [];
  const inFn = (d: Diagnostic) => d.range.start.line + 1 >= fn.line && d.range.start.line + 1 <= fn.endLine;
  const about = diagnostics.filter((d) => d.source === 'lockscope' && ABOUT_CONTRACTS.has(String(d.code)) && inFn(d));
  const def = findDefinition(text, fn.name, fn.line - 1, fn.endLine - 1);
  const onHeader = typeof def !== 'string' && line <= def.brace.line;
  if (!onHeader && !about.length) return [];
  // the file's other functions count: one defined twice (#if arms) is not annotated
  const inputs: ContractInput[] = r.functions.map((f) => ({
    name: f.name,
    line: f.line,
    endLine: f.endLine,
    summary: f === fn ? r.summaries?.get(f.name) : undefined,
    hasParseErrors: f.hasParseErrors,
    ...(f === fn && methodOf(f.name) ? { method: methodOf(f.name) } : {}),
  }));
  const kinds = lockKinds(r.summaries?.values() ?? []);
  const c = fileContracts(text, inputs, kinds).find((x) => x.name === fn.name && x.line === fn.line);
  if (!c?.edits.length) return [];
  const edits: TextEdit[] = c.edits.map((e) => ({ range: { start: e.at, end: e.at }, newText: e.text }));
  return [
    {
      title: `${ANNOTATE_TITLE}: ${[...c.annotations, ...c.assertions].join(' ')}`,
      kind: about.length ? CodeActionKind.QuickFix : CodeActionKind.RefactorRewrite,
      ...(about.length ? { diagnostics: about } : {}),
      edit: { changes: { [uri]: edits } },
    },
  ];
}
