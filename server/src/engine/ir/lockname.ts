/**
 * Lock naming: turn the C expression a lock was taken on into a stable key.
 *
 * `&inode->i_rwsem`, `&(inode)->i_rwsem` and `& inode -> i_rwsem` are one lock; a template
 * applied to an argument (`{arg}->i_rwsem` on `&ei->vfs_inode`) folds `(&X)->f` into `X.f`.
 * A key is the lock's lvalue without the leading `&`; a pointer argument `m` becomes `*m`.
 */

const IDENT = /[A-Za-z0-9_]/;

/** Collapse whitespace and comments; keep one space only between two identifier characters. */
function squeeze(text: string): string {
  const s = text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === ' ') {
      const prev = out[out.length - 1];
      const next = s[i + 1];
      if (prev && next && IDENT.test(prev) && IDENT.test(next)) out += ' ';
      continue;
    }
    out += c;
  }
  return out;
}

/** Index of the parenthesis closing the one at `open`, or -1. */
function matchParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** True when the parenthesised text is a primary/postfix expression that needs no parentheses. */
function isPostfix(inner: string): boolean {
  // identifiers, field/arrow chains, calls and subscripts, without top-level operators
  let depth = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0) {
      if (c === '-' && inner[i + 1] === '>') {
        i++;
        continue;
      }
      if (!IDENT.test(c) && c !== '.') return false;
    }
  }
  return inner.length > 0 && !/^[0-9]/.test(inner);
}

function simplifyOnce(s: string): string {
  // &*X and *&X cancel
  s = s.replace(/&\*/g, '').replace(/\*&/g, '');
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '(') continue;
    const prev = i > 0 ? s[i - 1] : '';
    if (prev && (IDENT.test(prev) || prev === ']' || prev === ')')) continue; // a call, not grouping
    const close = matchParen(s, i);
    if (close < 0) return s;
    const inner = s.slice(i + 1, close);
    const after = s.slice(close + 1);
    // (&X)->f  =>  X.f
    if (inner.startsWith('&') && after.startsWith('->') && isPostfix(inner.slice(1))) {
      return s.slice(0, i) + inner.slice(1) + '.' + after.slice(2);
    }
    // (*X).f  =>  X->f
    if (inner.startsWith('*') && after.startsWith('.') && isPostfix(inner.slice(1))) {
      return s.slice(0, i) + inner.slice(1) + '->' + after.slice(1);
    }
    // *(&X) => X
    if (prev === '*' && inner.startsWith('&') && isPostfix(inner.slice(1))) {
      return s.slice(0, i - 1) + inner.slice(1) + after;
    }
    // (X) => X when X needs no grouping
    if (isPostfix(inner)) return s.slice(0, i) + inner + after;
    // &(X) / *(X) at the whole-expression level
    if ((prev === '&' || prev === '') && close === s.length - 1 && isPostfix(inner.replace(/^[&*]/, ''))) {
      return s.slice(0, i) + inner + after;
    }
  }
  return s;
}

/**
 * One page lock whatever page of the folio names it: lock_page() locks the page's folio, so the lock bit
 * of `page_folio(p)` is that of `p`, and the folio's is that of any of its pages (`&folio->page`,
 * `folio_page(folio, n)`): `PG_locked(page_folio(p))` is `PG_locked(p)`, `PG_locked(&f->page)` is `PG_locked(f)`.
 */
function pageLockOnce(s: string): string {
  if (!s.startsWith('PG_locked(') || matchParen(s, 9) !== s.length - 1) return s;
  let inner = s.slice(10, -1);
  while (inner.startsWith('(') && matchParen(inner, 0) === inner.length - 1) inner = inner.slice(1, -1);
  if (inner !== s.slice(10, -1) && isPostfix(inner)) return `PG_locked(${inner})`;
  const call = /^(page_folio|folio_page)\(/.exec(inner);
  if (call && matchParen(inner, call[0].length - 1) === inner.length - 1) {
    const args = inner.slice(call[0].length, -1);
    if (call[1] === 'page_folio') return `PG_locked(${args})`;
    // folio_page(folio, n): the first argument, when the split at the top-level comma is clean
    const parts = splitTopLevel(args);
    return parts.length > 1 ? `PG_locked(${parts[0]})` : s;
  }
  const head = /^&(.+)->page$/.exec(inner);
  if (head && isPostfix(head[1])) return `PG_locked(${head[1]})`;
  return s;
}

/** Normalise an expression's text. */
/** An argument list's text split on its top-level commas (outside parentheses and brackets), each part trimmed. */
export function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

export function normaliseExpr(text: string): string {
  let s = squeeze(text);
  for (let guard = 0; guard < 32; guard++) {
    const next = pageLockOnce(simplifyOnce(s));
    if (next === s) break;
    s = next;
  }
  return s;
}

/** A constant operand (`LCN_HOLE`, `-ENOENT`, `24`): kept on the right of an equality fact. */
export const CONSTANT_LIKE = /^-?(?:[A-Z0-9_][A-Z0-9_]*|0x[0-9a-fA-F]+[uUlL]*)$/;

/**
 * The one fact text of `l == r`, `r == l` and `l != r`: a constant operand on the right, otherwise the two
 * normalised sides in order.
 */
export function equalityText(left: string, right: string): string {
  const l = normaliseExpr(left);
  const r = normaliseExpr(right);
  const lc = CONSTANT_LIKE.test(l);
  const rc = CONSTANT_LIKE.test(r);
  const [a, b] = lc && !rc ? [r, l] : !lc && rc ? [l, r] : l <= r ? [l, r] : [r, l];
  return `${a}==${b}`;
}

/** The key of the lock designated by a pointer-valued argument (`&x->lock` → `x->lock`, `m` → `*m`). */
export function keyOfPointer(argText: string): string {
  const n = normaliseExpr(argText);
  if (n.startsWith('&')) return normaliseExpr(n.slice(1));
  return isPostfix(n) ? `*${n}` : `*(${n})`;
}

/** Apply a catalog template (`{arg}->i_rwsem`, `PG_locked({arg})`) to an argument expression. */
export function applyTemplate(template: string, argText: string): string {
  const n = normaliseExpr(argText);
  const wrapped = isPostfix(n) ? n : `(${n})`;
  return normaliseExpr(template.split('{arg}').join(wrapped));
}

/** How a key is shown to a person: as the address the primitive was given. */
export function displayOfKey(key: string): string {
  if (key.startsWith('*')) return key.slice(1).replace(/^\((.*)\)$/, '$1');
  if (/^[A-Za-z_]\w*$/.test(key) && !key.includes('->')) return `&${key}`;
  if (/^[A-Za-z_][\w]*\(/.test(key) && key.endsWith(')') && !key.includes('->')) return key; // PG_locked(page)
  return `&${key}`;
}

/** Candidate keys for an annotation argument, which may or may not carry the `&`. */
export function keysOfAnnotation(text: string): string[] {
  const n = normaliseExpr(text);
  if (n.startsWith('&')) return [normaliseExpr(n.slice(1))];
  return [n, `*${n}`];
}

/** The identifier an lvalue key is rooted at (`*ei->lock` → `ei`), if any. */
export function rootIdentifier(key: string): string | undefined {
  const m = /^[*(&]*([A-Za-z_]\w*)/.exec(key);
  if (!m) return undefined;
  // a call such as BTRFS_I(inode)->x is rooted at its first argument, through nested calls
  // (FOO_I(file_inode(file))->x is rooted at file)
  let after = key.slice(m.index + m[0].length);
  let root = m[1];
  while (after.startsWith('(')) {
    const inner = /^\(\s*[*&(]*([A-Za-z_]\w*)/.exec(after);
    if (!inner) return undefined;
    root = inner[1];
    after = after.slice(inner[0].length);
  }
  return root;
}

/** Identifiers mentioned in an expression's text. */
export function identifiersIn(text: string): string[] {
  return text.match(/[A-Za-z_]\w*/g) ?? [];
}
