/**
 * Lines through edits: the one line map of the incremental layer. An edit is kept as the whole rows
 * it replaced; a line below it moves by the rows it added or removed, a line inside it has no place
 * of its own (a result mentioning it is computed again, or, where something must be shown, the line
 * goes to where the edit starts).
 */

/** Whole rows an edit replaced: rows start..oldEnd of the text before became start..newEnd (0-based). */
export interface LineEdit {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/** What becomes of a line an edit touched: it is lost, or it goes to where that edit starts. */
export type Touched = 'lost' | 'to-start';

/**
 * Where 1-based `line` of a text is after `edits` (those from index `from` on). A line an edit touched
 * is lost (undefined), or with 'to-start' goes to where that edit starts.
 */
export function mapLine(edits: readonly LineEdit[], line: number, touched: 'to-start', from?: number): number;
export function mapLine(edits: readonly LineEdit[], line: number, touched?: Touched, from?: number): number | undefined;
export function mapLine(
  edits: readonly LineEdit[],
  line: number,
  touched: Touched = 'lost',
  from = 0,
): number | undefined {
  let row = line - 1;
  for (let i = from; i < edits.length; i++) {
    const e = edits[i];
    if (row < e.start) continue;
    if (row <= e.oldEnd) {
      if (touched === 'lost') return undefined;
      row = e.start;
      continue;
    }
    row += e.newEnd - e.oldEnd;
  }
  return row + 1;
}

/** Did no edit move or touch lines first..last (1-based)? */
export function unmoved(edits: readonly LineEdit[], first: number, last: number): boolean {
  return edits.every((e) => e.start > last - 1 || (e.oldEnd < first - 1 && e.newEnd === e.oldEnd));
}
