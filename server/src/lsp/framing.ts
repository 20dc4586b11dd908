/**
 * A guard in front of the stdio transport: it reads the LSP base protocol's framing itself and passes on
 * only well-formed messages. vscode-jsonrpc's reader waits forever on a malformed `Content-Length`
 * (non-numeric, negative) and loses its place after a body that is not JSON; here a body that is not JSON
 * gets a JSON-RPC parse error (-32700) and the stream goes on, and a header that cannot be framed closes the
 * connection with a message on stderr (there is no way to find the next message after it).
 */
import { Transform, type TransformCallback } from 'node:stream';

/** Larger bodies are refused: no client sends a 256 MiB message. */
export const MAX_BODY = 256 * 1024 * 1024;
const MAX_HEADER = 8 * 1024;
const SEP = Buffer.from('\r\n\r\n');

export interface FramingEvents {
  /** A body that is not JSON: answer it (the message is dropped). */
  parseError(detail: string): void;
  /** The stream cannot be framed any more: close the connection. */
  fatal(detail: string): void;
}

export class FramingGuard extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  private want: number | undefined;
  private header: Buffer = Buffer.alloc(0);
  private dead = false;

  constructor(private readonly events: FramingEvents) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (!this.dead) {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      this.drain();
    }
    done();
  }

  private drain(): void {
    while (!this.dead) {
      if (this.want === undefined) {
        const end = this.buf.indexOf(SEP);
        if (end < 0) {
          if (this.buf.length > MAX_HEADER) this.fail(`a message header longer than ${MAX_HEADER} bytes`);
          return;
        }
        const length = this.length(this.buf.subarray(0, end).toString('ascii'));
        if (length === undefined) return;
        this.header = this.buf.subarray(0, end + SEP.length);
        this.buf = this.buf.subarray(end + SEP.length);
        this.want = length;
      }
      if (this.buf.length < this.want) return;
      const body = this.buf.subarray(0, this.want);
      this.buf = this.buf.subarray(this.want);
      this.want = undefined;
      if (this.isJson(body)) this.push(Buffer.concat([this.header, body]));
    }
  }

  /** The Content-Length of a header block, or undefined after failing the stream. */
  private length(block: string): number | undefined {
    let length: number | undefined;
    for (const line of block.split('\r\n')) {
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (!m) {
        this.fail(`a malformed header line ${JSON.stringify(line.slice(0, 80))}`);
        return undefined;
      }
      if (m[1].toLowerCase() !== 'content-length') continue;
      if (!/^\d{1,10}$/.test(m[2].trim()) || Number(m[2]) > MAX_BODY) {
        this.fail(`Content-Length ${JSON.stringify(m[2].slice(0, 40))} is not a length up to ${MAX_BODY} bytes`);
        return undefined;
      }
      length = Number(m[2]);
    }
    if (length === undefined) this.fail('a message header without Content-Length');
    return length;
  }

  private isJson(body: Buffer): boolean {
    try {
      JSON.parse(body.toString('utf8'));
      return true;
    } catch (e) {
      this.events.parseError(`the message body is not JSON (${(e as Error).message})`);
      return false;
    }
  }

  private fail(detail: string): void {
    this.dead = true;
    this.buf = Buffer.alloc(0);
    this.events.fatal(detail);
  }
}

/** The JSON-RPC parse-error response, framed. */
export function parseErrorResponse(detail: string): string {
  const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: `lockscope: ${detail}` } });
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}
