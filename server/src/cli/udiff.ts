/**
 * A unified diff (git's format, `diff --git a/PATH b/PATH`, three lines of context) of a file's text before and
 * after insertions, for `patch -p1` and `git apply`. The insertions decide which lines change, so no general diff
 * algorithm is needed: each changed line is replaced by what it becomes, less the lines both sides share.
 */
import type { Insertion } from '../engine/contracts';

const CONTEXT = 3;

/** A run of old lines replaced by new lines (0-based old index). */
interface Change {
  at: number;
  old: string[];
  new: string[];
}

/** Lines of `text` with their `\r` kept; `eol`: the text ends with a line break. */
function splitLines(text: string): { lines: string[]; eol: boolean } {
  const lines = text.split('\n');
  const eol = lines[lines.length - 1] === '';
  if (eol) lines.pop();
  return { lines, eol };
}

/** One change per line edited, with the lines both sides share at its ends left out. */
function changesOf(lines: string[], edits: readonly Insertion[]): Change[] {
  const byLine = new Map<number, Insertion[]>();
  for (const e of edits) byLine.set(e.at.line, [...(byLine.get(e.at.line) ?? []), e]);
  const out: Change[] = [];
  for (const [line, es] of [...byLine].sort((a, b) => a[0] - b[0])) {
    let text = lines[line] ?? '';
    for (const e of [...es].sort((a, b) => b.at.character - a.at.character))
      text = text.slice(0, e.at.character) + e.text + text.slice(e.at.character);
    const old = line < lines.length ? [lines[line]] : [];
    const now = text.split('\n');
    if (line >= lines.length && now[now.length - 1] === '') now.pop();
    let a = 0;
    while (a < old.length && a < now.length && old[a] === now[a]) a++;
    let b = 0;
    while (b < old.length - a && b < now.length - a && old[old.length - 1 - b] === now[now.length - 1 - b]) b++;
    if (a === old.length && a === now.length) continue;
    out.push({ at: line + a, old: old.slice(a, old.length - b), new: now.slice(a, now.length - b) });
  }
  return out;
}

/** A unified diff of `file` (a path relative to the tree's root, `/`-separated); empty when nothing changes. */
export function unifiedDiff(file: string, text: string, edits: readonly Insertion[]): string {
  const { lines, eol } = splitLines(text);
  const changes = changesOf(lines, edits);
  if (!changes.length) return '';
  const out = [`diff --git a/${file} b/${file}`, `--- a/${file}`, `+++ b/${file}`];
  const last = lines.length - 1;
  const emit = (prefix: string, i: number) => {
    out.push(`${prefix}${lines[i]}`);
    if (i === last && !eol) out.push('\\ No newline at end of file');
  };
  let shift = 0; // new line numbers run ahead of old ones by this much
  for (let h = 0; h < changes.length;) {
    // a hunk: changes whose context touches or overlaps
    let end = h + 1;
    while (end < changes.length && changes[end].at - (changes[end - 1].at + changes[end - 1].old.length) <= 2 * CONTEXT)
      end++;
    const from = Math.max(0, changes[h].at - CONTEXT);
    const lastChange = changes[end - 1];
    const to = Math.min(lines.length, lastChange.at + lastChange.old.length + CONTEXT);
    const body: (() => void)[] = [];
    let added = 0;
    let removed = 0;
    let i = from;
    for (let c = h; c < end; c++) {
      for (; i < changes[c].at; i++)
        body.push(
          (
            (k) => () =>
              emit(' ', k)
          )(i),
        );
      for (const k of changes[c].old.keys())
        body.push(
          (
            (n) => () =>
              emit('-', n)
          )(i + k),
        );
      for (const l of changes[c].new) body.push(() => out.push(`+${l}`));
      i += changes[c].old.length;
      removed += changes[c].old.length;
      added += changes[c].new.length;
    }
    for (; i < to; i++)
      body.push(
        (
          (k) => () =>
            emit(' ', k)
        )(i),
      );
    const oldCount = to - from;
    const newCount = oldCount - removed + added;
    const range = (start: number, n: number) => (n === 1 ? `${start}` : `${n ? start : start - 1},${n}`);
    out.push(`@@ -${range(from + 1, oldCount)} +${range(from + 1 + shift, newCount)} @@`);
    body.forEach((f) => f());
    shift += added - removed;
    h = end;
  }
  return `${out.join('\n')}\n`;
}
