/**
 * The incremental layer: everything that exists only because a document is being edited, above the
 * engine (which knows nothing of edits and never imports this folder).
 *
 * The invariant: analysing an open document after any sequence of edits gives the same result as a
 * fresh analysis of the same text against the same tree index — the same findings, hover states,
 * summaries and counts (test/unit/incremental.test.ts checks it after every edit of every fixture).
 * Reuse is an optimisation under that contract, never a change of answer: when in doubt, a function
 * is analysed again.
 *
 * - lines.ts: the one line map (edits kept as whole rows replaced);
 * - move.ts: results moved to new lines through it;
 * - session.ts: an open document's state (its edited syntax tree, the edits since, its last results);
 * - document.ts: the document analysed again, reusing what still holds (the engine's `Reuse`);
 * - live-index.ts: the tree index as edits change it (edit log, lazily moved summaries, change marks);
 * - propagate.ts: re-summarising callers in other files after an edit changed what a function does.
 */
export { type LineEdit, mapLine } from './lines';
export { lineRange, moveCached, moveLines, moveSummary } from './move';
export { type CachedFunction, DocumentSession, type TextChange, rangedChange } from './session';
export { analyseDocument } from './document';
export { ExternalIndex } from './live-index';
export { MAX_PROPAGATE, Propagation } from './propagate';
