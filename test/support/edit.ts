/** Editing an open document in tests as the server's update hook does (incremental tests). */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentSession } from '../../server/src/incremental';

export /** Apply one LSP-style change to the document and tell the session, as the server's update hook does. */
function edit(
  doc: TextDocument,
  session: DocumentSession,
  startLine: number,
  endLine: number,
  text: string,
  endChar = 0,
): TextDocument {
  const range = { start: { line: startLine, character: 0 }, end: { line: endLine, character: endChar } };
  const startOffset = doc.offsetAt(range.start);
  const endOffset = doc.offsetAt(range.end);
  session.change({ start: doc.positionAt(startOffset), end: doc.positionAt(endOffset), startOffset, endOffset, text });
  return TextDocument.update(doc, [{ range, text }], doc.version + 1);
}
