/**
 * Markdown from the tree's own text (file paths, function and lock names): nothing in it may become HTML
 * (a path named `<img onerror=…>.c` is text), and a `|` must not end a table cell.
 */

/**
 * Plain text for Markdown: `<` (the only way into HTML) and an `&` that would start an entity as entities,
 * `|` escaped (it would end a table cell). `->` and `&inode->i_rwsem` stay readable.
 */
export function mdText(s: string): string {
  return s
    .replace(/&(?=#?\w+;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/\|/g, '\\|');
}

/**
 * Inline code: a fence longer than any run of backticks inside, and `|` escaped (GFM tables split on it even
 * there).
 */
export function mdCode(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const body = s.replace(/\|/g, '\\|');
  return fence + (body.startsWith('`') || body.endsWith('`') ? ` ${body} ` : body) + fence;
}
