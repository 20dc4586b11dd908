/**
 * Where a contract goes in a function definition's text: the parameter list's closing `)`, the annotations
 * already written between it and the body's `{`, the parameter names, and the first statement after the
 * declarations. A small scanner over the text (comments, strings and brackets), not a parse: the definition was
 * parsed by the analysis already, this only finds the columns to insert at, and gives up (with a reason) on
 * anything it does not recognise rather than guessing.
 */

/** A position in the text, 0-based as LSP counts (line, UTF-16 column). */
export interface Pos {
  line: number;
  character: number;
}

/** A definition's header and body as the scanner found them. */
export interface Definition {
  /** The parameter list's `)`. */
  close: Pos;
  /** The body's `{`. */
  brace: Pos;
  params: string[];
  /** The text between `)` and `{` (annotations and attributes already written there). */
  between: string;
  /** The body, from `{` to the function's last line. */
  body: string;
  /** Where the first statement after the declarations starts, or why no statement can go there. */
  firstStatement: Pos | { reason: string };
  /** A statement is at `firstStatement`; false: the body ends there (the `}` line). */
  beforeStatement: boolean;
  /** The indentation of the body's statements. */
  indent: string;
}

/** Blank out comments, string and character literals (same length, newlines kept), so brackets can be counted. */
export function blankOut(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, (m) =>
    m.replace(/[^\n]/g, ' '),
  );
}

/** The index of the bracket closing the one at `open` in `code` (comments blanked), or -1. */
function matching(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Parameter names of a parameter list's text (between the parentheses; comments blanked). */
export function paramNames(list: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= list.length; i++) {
    const c = list[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if ((c === ',' && depth === 0) || i === list.length) {
      parts.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (parts.length === 1 && (parts[0] === 'void' || parts[0] === '')) return [];
  const names: string[] = [];
  for (const p of parts) {
    if (p === '...') continue;
    const fnPtr = /\(\s*\*\s*([A-Za-z_]\w*)\s*\)/.exec(p);
    // trailing attributes (`int flags __maybe_unused`) and array bounds are not the name
    const plain = p.replace(/\[[^\]]*\]/g, '').replace(/(\s+__\w+(\s*\([^)]*\))?)+\s*$/, '');
    const name = fnPtr?.[1] ?? /([A-Za-z_]\w*)\s*$/.exec(plain)?.[1];
    // a parameter with no name (`int`), or none we can read, leaves the indices unknown
    if (!name || /^(?:int|char|long|short|unsigned|signed|void|bool|float|double)$/.test(name)) return undefined;
    names.push(name);
  }
  return names;
}

/** Offsets of the starts of the lines of `text`. */
function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') out.push(i + 1);
  return out;
}

/** The position of an offset, given the line starts. */
function posOf(starts: number[], offset: number): Pos {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

/** A declaration's start; an upper-case macro (`XA_STATE(xas, ..);`) is taken for one, as it often declares. */
const DECL_START =
  /^(?:(?:const|static|volatile|register|unsigned|signed|struct|union|enum|long|short|int|char|bool|void)\b|[A-Z][A-Z0-9_]*\s*\()/;
/** `type name`, `type *name`, `type name[..]`, `type name = ..`, `type a, b`: a declaration by its shape. */
const DECL_SHAPE = /^[A-Za-z_]\w*(?:\s+|\s*\*+\s*)(?:__\w+\s+)*\**\s*[A-Za-z_]\w*\s*(?:[=;,[]|__\w+)/;
const NOT_DECL = /^(?:return|if|while|for|do|switch|goto|break|continue|else|case|default)\b/;

/** The body's statements after `{`: where the first one that is not a declaration starts. */
function firstStatement(
  code: string,
  open: number,
  end: number,
  starts: number[],
): { at: Pos | { reason: string }; statement: boolean } {
  let i = open + 1;
  for (;;) {
    while (i < end && /\s/.test(code[i])) i++;
    if (i >= end) return { at: { reason: 'the body has no closing brace in the function' }, statement: false };
    const at = posOf(starts, i);
    const lineStart = starts[at.line];
    if (code.slice(lineStart, i).trim() !== '')
      return { at: { reason: 'the first statement shares a line with the brace or a declaration' }, statement: false };
    if (code[i] === '}') return { at, statement: false };
    if (code[i] === '#') return { at: { reason: 'a preprocessor line among the declarations' }, statement: false };
    const rest = code.slice(i, Math.min(end, i + 400));
    if (NOT_DECL.test(rest) || !(DECL_START.test(rest) || DECL_SHAPE.test(rest))) return { at, statement: true };
    // a declaration: to its `;` at depth 0
    let depth = 0;
    let j = i;
    for (; j < end; j++) {
      const c = code[j];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth--;
      else if (c === ';' && depth === 0) break;
    }
    if (j >= end) return { at: { reason: 'a declaration without its ;' }, statement: false };
    i = j + 1;
  }
}

/**
 * Find the definition of `name` between 0-based lines `first` and `last` of `text` (whole lines); a string says
 * why it was not recognised.
 */
export function findDefinition(text: string, name: string, first: number, last: number): Definition | string {
  const starts = lineStarts(text);
  if (first >= starts.length) return 'the definition is not in the text';
  const from = starts[first];
  const to = last + 1 < starts.length ? starts[last + 1] : text.length;
  const code = blankOut(text.slice(0, to));
  const nameRe = new RegExp(`(?<![\\w])${name}\\s*\\(`, 'g');
  nameRe.lastIndex = from;
  const m = nameRe.exec(code);
  if (!m) return 'its name and parameter list were not found (a macro-generated definition?)';
  const open = m.index + m[0].length - 1;
  const close = matching(code, open);
  if (close < 0) return 'its parameter list does not close';
  const brace = code.indexOf('{', close);
  const between = code.slice(close + 1, brace < 0 ? close + 1 : brace);
  if (brace < 0 || /[;(]\s*$/.test(between.replace(/__\w+\s*\([^()]*(?:\([^()]*\)[^()]*)*\)/g, '')))
    return 'no body after the parameter list (a complex declarator?)';
  if (/^\s*\(/.test(between)) return 'a declarator returning a function pointer';
  const params = paramNames(code.slice(open + 1, close));
  if (!params) return 'a parameter without a name';
  const bodyEnd = matching(code, brace);
  const end = bodyEnd < 0 ? code.length : bodyEnd;
  const stmt = firstStatement(code, brace, end + 1, starts);
  let stmtPos = 'line' in stmt.at ? stmt.at : undefined;
  // a comment right above the statement is about it: the assertion goes above the comment
  const lineOf = (l: number, of: string) => of.slice(starts[l], l + 1 < starts.length ? starts[l + 1] : of.length);
  let top = stmtPos?.line ?? 0;
  while (
    stmtPos &&
    top - 1 > posOf(starts, brace).line &&
    !lineOf(top - 1, code).trim() &&
    lineOf(top - 1, text).trim()
  )
    top--;
  if (stmtPos && top !== stmtPos.line) stmtPos = { line: top, character: 0 };
  const indentLine = stmtPos && stmt.statement ? text.slice(starts[stmtPos.line], starts[stmtPos.line] + 40) : '';
  const indent = /^[ \t]+/.exec(indentLine)?.[0] ?? '\t';
  return {
    close: posOf(starts, close),
    brace: posOf(starts, brace),
    params,
    between: text.slice(close + 1, brace),
    body: text.slice(brace, end + 1),
    firstStatement: stmtPos ?? stmt.at,
    beforeStatement: stmt.statement,
    indent,
  };
}
