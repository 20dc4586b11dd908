/**
 * lockscope's own LSP requests, declared once for the server and the VS Code client
 * (vscode-eslint's customMessages / rust-analyzer's lsp_ext pattern).
 */
import { RequestType, RequestType0 } from 'vscode-languageserver-protocol';

export interface IndexStatus {
  state: 'none' | 'indexing' | 'ready' | 'failed';
  root?: string;
  files?: number;
  functions?: number;
  seconds?: number;
  done?: number;
  total?: number;
  message?: string;
}

export const IndexStatusRequest = new RequestType0<IndexStatus, void>('lockscope/indexStatus');
export const ReindexRequest = new RequestType0<IndexStatus, void>('lockscope/reindex');

export interface CallGraphParams { uri: string; line: number; depth?: number }
export interface CallGraphResult { function: string; markdown: string; dot: string; svg: string }
export const CallGraphRequest = new RequestType<CallGraphParams, CallGraphResult | null, void>('lockscope/callGraph');

export interface LockOrderParams { cyclesOnly?: boolean; classFilter?: string[] }
export interface LockOrderResult { classes: number; edges: number; cycles: string[][]; omitted: number; markdown: string; dot: string; svg: string }
export const LockOrderRequest = new RequestType<LockOrderParams, LockOrderResult | null, void>('lockscope/lockOrderGraph');
