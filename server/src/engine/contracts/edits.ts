/**
 * A function's inferred contract as insertions into its file's text: the annotations after the parameter list
 * (kernel style: on the line of the `)` when it fits in 80 columns, else each on its own line, indented), the
 * lockdep assertions as the first statements after the declarations, followed by a blank line. Insertions only:
 * nothing of the text is changed or removed, and applying them is the user's choice (lockscope never writes to a
 * source).
 */
import type { Summary } from '../absint';
import type { LockKind } from '../model';
import { type ContractLock, inferContract, lockKinds } from './infer';
import { type Definition, type Pos, findDefinition } from './source';

/** Text to insert at a position (0-based line and column, as LSP counts). */
export interface Insertion {
  at: Pos;
  text: string;
}

/** A function definition of a file and what the analysis says of it. */
export interface ContractInput {
  name: string;
  /** 1-based lines of the definition. */
  line: number;
  endLine: number;
  summary?: Summary;
  hasParseErrors?: boolean;
  /** It is defined more than once in the file (`#ifdef` arms): summaries are by name, so whose is unclear. */
  ambiguous?: boolean;
  /** The ops-table field it is stored in (`file_operations::unlocked_ioctl`), when it is a method. */
  method?: string;
}

export interface FunctionContract {
  name: string;
  line: number;
  /** What is added: `__must_hold(&f->lock)`, `lockdep_assert_held(&f->lock);`. */
  annotations: string[];
  assertions: string[];
  /** Locks (or the whole function) left out, and why. */
  skipped: string[];
  edits: Insertion[];
}

/** Columns a line takes, tabs to the next multiple of 8 (the kernel's). */
function columns(line: string): number {
  let n = 0;
  for (const c of line) n = c === '\t' ? (Math.floor(n / 8) + 1) * 8 : n + 1;
  return n;
}

const LIMIT = 80;
const CONTEXT_ANNOTATION = /\b__(?:acquires|releases|must_hold)\s*\(/;

function annotationEdit(lines: string[], def: Definition, annotations: string[], eol: string): Insertion {
  const closeLine = lines[def.close.line];
  const after = closeLine.slice(def.close.character + 1);
  // the brace on the same line (`foo(x) {`), or nothing after `)`: on this line when it fits
  const joined = ` ${annotations.join(' ')}`;
  const fits = columns(closeLine.trimEnd()) + joined.length <= LIMIT;
  const ownLines = /^\s*__(?:acquires|releases|must_hold)\b/m.test(def.between);
  if (def.brace.line === def.close.line || (fits && !ownLines && after.trim() === ''))
    return { at: { line: def.close.line, character: def.close.character + 1 }, text: joined };
  // on their own lines, after the annotations already there (kernel style: one a line, a tab in)
  const indent = ownLines ? (/^[ \t]*/.exec(lines[def.brace.line - 1])?.[0] ?? '\t') : '\t';
  return {
    at: { line: def.brace.line, character: 0 },
    text: annotations.map((a) => `${indent}${a}${eol}`).join(''),
  };
}

function assertionEdit(lines: string[], def: Definition, assertions: string[], eol: string): Insertion | string {
  const at = def.firstStatement;
  if (!('line' in at)) return at.reason;
  const text = assertions.map((a) => `${def.indent}${a}${eol}`).join('');
  const prev = (lines[at.line - 1] ?? '').trim();
  // after declarations with no blank line: one before; a statement after: a blank line between
  const blankBefore = at.line - 1 > def.brace.line && prev !== '' && !prev.endsWith('{');
  return {
    at: { line: at.line, character: 0 },
    text: `${blankBefore ? eol : ''}${text}${def.beforeStatement ? eol : ''}`,
  };
}

/** The contract of one function, as text to insert. */
export function functionContract(
  text: string,
  lines: string[],
  fn: ContractInput,
  kinds?: ReadonlyMap<string, LockKind>,
): FunctionContract {
  const out: FunctionContract = {
    name: fn.name,
    line: fn.line,
    annotations: [],
    assertions: [],
    skipped: [],
    edits: [],
  };
  const skip = (why: string) => ({ ...out, skipped: [why] });
  if (!fn.summary) return out;
  if (fn.ambiguous) return skip('defined more than once in the file (#if arms)');
  const def = findDefinition(text, fn.name, fn.line - 1, fn.endLine - 1);
  if (typeof def === 'string') return skip(def);
  // the grammar takes an annotation after the parameter list for an error (syntax/idioms.ts): not one of the body
  if (fn.hasParseErrors && !CONTEXT_ANNOTATION.test(def.between)) return skip('the definition has parse errors');
  const inferred = inferContract(fn.summary, def.params, def.between, def.body, kinds, fn.method);
  out.skipped = inferred.skipped;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const ann = inferred.locks.filter((l) => l.annotation).map((l: ContractLock) => `${l.annotation}(${l.lock})`);
  const asserts = inferred.locks.filter((l) => l.assertion).map((l) => `${l.assertion}(${l.lock});`);
  if (asserts.length) {
    const e = assertionEdit(lines, def, asserts, eol);
    if (typeof e === 'string') out.skipped.push(`no lockdep assertion: ${e}`);
    else {
      out.assertions = asserts;
      out.edits.push(e);
    }
  }
  if (ann.length) {
    out.annotations = ann;
    out.edits.unshift(annotationEdit(lines, def, ann, eol));
  }
  return out;
}

/**
 * The contracts of a file's functions (`text` its whole text). Each function's insertions lie inside its own
 * lines, so the lists of different functions never overlap. `kinds`: each lock class's kind, as the tree takes
 * it (lockKinds over every summary; by default over the file's), for the assertion of a lock needed on entry.
 */
export function fileContracts(
  text: string,
  fns: readonly ContractInput[],
  kinds: ReadonlyMap<string, LockKind> = lockKinds(fns.map((f) => f.summary)),
): FunctionContract[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const count = new Map<string, number>();
  for (const f of fns) count.set(f.name, (count.get(f.name) ?? 0) + 1);
  return fns.map((f) =>
    functionContract(text, lines, { ...f, ambiguous: f.ambiguous || count.get(f.name)! > 1 }, kinds),
  );
}

/** `text` with `edits` applied (insertions, in any order). */
export function applyInsertions(text: string, edits: readonly Insertion[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const offsets = edits.map((e) => ({ off: starts[e.at.line] + e.at.character, text: e.text }));
  offsets.sort((a, b) => b.off - a.off);
  let out = text;
  for (const o of offsets) out = out.slice(0, o.off) + o.text + out.slice(o.off);
  return out;
}
