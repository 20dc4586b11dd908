/**
 * The params of every request the server answers, checked at the edge (edge.ts) before a handler runs:
 * each schema states what its handler reads, and nothing more (other fields pass untouched: a handler gets
 * the params as sent). A request that does not fit is answered InvalidParams naming the parameter.
 */
import { z } from 'zod';

const uint = z.number().int().min(0);
const position = z.object({ line: uint, character: uint });
const range = z.object({ start: position, end: position });
const textDocument = z.object({ uri: z.string() });

/** What vscode-languageserver itself reads of initialize before our handler runs. */
export const initializeParams = z.object({
  capabilities: z.object({}).passthrough(),
  rootUri: z.string().nullish(),
  workspaceFolders: z.array(z.object({ uri: z.string() })).nullish(),
  initializationOptions: z.unknown(),
  trace: z.string().optional(),
});

export const textDocumentPosition = z.object({ textDocument, position });

const diagnostic = z.object({
  range,
  source: z.string().optional(),
  code: z.union([z.string(), z.number()]).optional(),
  relatedInformation: z.array(z.unknown()).optional(),
  data: z.unknown(),
});

export const codeActionParams = z.object({
  textDocument,
  range,
  context: z.object({ diagnostics: z.array(diagnostic) }),
});

/** A call hierarchy item as this server made it: `data` names the function (absent: an item it cannot follow). */
const callHierarchyItem = z.object({
  name: z.string(),
  uri: z.string(),
  range,
  selectionRange: range,
  data: z.object({ file: z.string(), name: z.string() }).optional(),
});

export const callHierarchyCallsParams = z.object({ item: callHierarchyItem });

export const callGraphParams = z.object({ uri: z.string(), line: uint, depth: uint.optional() });

export const lockOrderParams = z.object({
  cyclesOnly: z.boolean().optional(),
  classFilter: z.array(z.string()).optional(),
});

export const findingsParams = z.object({ limit: uint.optional() });

export const mapSplatParams = z.object({
  text: z.string().max(8 * 1024 * 1024),
  name: z.string().max(4096).optional(),
});

/**
 * The document-sync notifications, as TextDocuments reads them: one that does not fit is logged and dropped
 * (a didOpen without a string uri used to be stored, then crash the server when it was analysed).
 */
const versioned = z.object({ uri: z.string(), version: z.number().int() });
const change = z.union([
  z.object({ range, rangeLength: uint.optional(), text: z.string() }),
  z.object({ text: z.string() }),
]);
export const documentSync = {
  'textDocument/didOpen': z.object({
    textDocument: z.object({ uri: z.string(), languageId: z.string(), version: z.number().int(), text: z.string() }),
  }),
  'textDocument/didChange': z.object({ textDocument: versioned, contentChanges: z.array(change) }),
  'textDocument/didClose': z.object({ textDocument }),
  'textDocument/willSave': z.object({ textDocument, reason: z.number() }),
  'textDocument/willSaveWaitUntil': z.object({ textDocument, reason: z.number() }),
  'textDocument/didSave': z.object({ textDocument, text: z.string().optional() }),
} as const;

/** Requests without params (`lockscope/indexStatus`, `lockscope/memory`, `lockscope/reindex`): anything goes. */
export const noParams = z.unknown();

/** Why `params` does not fit `schema` (the first problem, naming the parameter), or undefined when it does. */
export function problemOf(schema: z.ZodType, params: unknown): string | undefined {
  const r = schema.safeParse(params);
  if (r.success) return undefined;
  const issue = r.error.issues[0];
  const where = issue.path.length ? `parameter "${issue.path.join('.')}"` : 'params';
  return `invalid ${where}: ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`;
}
