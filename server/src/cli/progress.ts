/**
 * Progress of a tree build on stderr, as a terminal user and a CI log each expect it:
 *   - on a terminal, one line rewritten in place (`\r`, erase line): files parsed / total, then linking,
 *     checking functions / total, saving the cache; erased when the run is done;
 *   - otherwise (a pipe, a CI log), a plain line when the phase changes and at least every `interval` ms
 *     while work goes on (default 1 s; $LOCKSCOPE_PROGRESS_INTERVAL in ms overrides it);
 *   - nothing with --quiet.
 * The build reports from its synchronous loops, so every update decides here whether it is time to print.
 * Some stretches of linking and checking run for seconds between two updates, with no timer able to fire on
 * this thread; so on process.stderr a small heartbeat thread (`heartbeat: true`) repeats the last line every
 * interval, reading it from shared memory and writing straight to file descriptor 2.
 */
import { Worker } from 'node:worker_threads';
import type { BuildPhase } from '../tree/build';

/**
 * Shared with the heartbeat: [0] ms since the start when a line was last written, [1] the length of the line
 * to repeat, [2] a sequence number, odd while the line is being replaced; then the line's bytes.
 */
const HEAD = 12;
const TEXT = 1024;

/** The heartbeat thread: every interval/4 ms, if no line was written for `interval` ms, write the last again. */
const HEARTBEAT = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { sab, interval, t0 } = workerData;
const head = new Int32Array(sab, 0, 3);
const text = new Uint8Array(sab, ${HEAD}, ${TEXT});
setInterval(() => {
  const now = Date.now() - t0;
  if (now - Atomics.load(head, 0) < interval) return;
  const seq = Atomics.load(head, 2);
  const n = Atomics.load(head, 1);
  if (seq % 2 || !n) return;
  const line = Buffer.from(text.slice(0, n)).toString('utf8');
  if (Atomics.load(head, 2) !== seq) return;
  Atomics.store(head, 0, now);
  try { fs.writeSync(2, line + ' [' + Math.floor(now / 1000) + ' s]\\n'); } catch {}
}, Math.max(10, Math.floor(interval / 4)));
`;

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const WORDS: Record<BuildPhase, string> = {
  hashing: 'reading',
  loading: 'loading the cached analysis',
  parsing: 'parsing',
  linking: 'linking calls',
  checking: 'checking',
  saving: 'saving the analysis to the cache',
};
const UNIT: Partial<Record<BuildPhase, string>> = {
  hashing: 'files',
  parsing: 'files',
  checking: 'functions',
};

/** The default interval between plain progress lines (ms). */
export const PROGRESS_INTERVAL = 1000;

export function progressInterval(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.LOCKSCOPE_PROGRESS_INTERVAL);
  return Number.isFinite(n) && n >= 10 ? n : PROGRESS_INTERVAL;
}

export class Progress {
  private readonly tty: boolean;
  private last = 0;
  private lastPhase?: BuildPhase;
  private lastText = '';
  private shown = false;
  private timer?: NodeJS.Timeout;
  private readonly t0: number;

  constructor(
    private readonly out: ProgressStream,
    private readonly opts: { quiet?: boolean; interval?: number; now?: () => number; heartbeat?: boolean } = {},
  ) {
    this.tty = out.isTTY === true;
    this.t0 = this.now();
  }

  private shared?: { head: Int32Array; text: Uint8Array; worker: Worker };

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private get interval(): number {
    return this.tty ? 100 : (this.opts.interval ?? progressInterval());
  }

  /** The build's callback: `done` of `total` in `phase`. */
  readonly update = (done: number, total: number, phase: BuildPhase): void => {
    if (this.opts.quiet) return;
    const unit = UNIT[phase];
    const pct = total > 0 ? ` (${Math.floor((100 * done) / total)} %)` : '';
    this.lastText = unit && total ? `${WORDS[phase]} ${done}/${total} ${unit}${pct}` : WORDS[phase];
    const t = this.now();
    if (this.shared) this.share(`lockscope: ${this.lastText}`);
    // the heartbeat may have written a line meanwhile: the later of the two counts
    const last = this.shared ? Math.max(this.last, this.t0 + Atomics.load(this.shared.head, 0)) : this.last;
    if (phase === this.lastPhase && t - last < this.interval) return;
    this.lastPhase = phase;
    this.print(t);
  };

  /** A message of its own (the run's notes): on a terminal, the progress line is erased first. */
  note(m: string): void {
    if (this.opts.quiet) return;
    this.clear();
    this.out.write(`lockscope: ${m}\n`);
  }

  /**
   * Repeat the last line every interval while the build awaits its workers (a plain stream only: the
   * terminal's line stays on screen).
   */
  start(): void {
    if (this.opts.quiet || this.tty || this.timer || this.shared) return;
    if (this.opts.heartbeat) {
      try {
        const sab = new SharedArrayBuffer(HEAD + TEXT);
        const worker = new Worker(HEARTBEAT, {
          eval: true,
          workerData: { sab, interval: this.interval, t0: this.t0 },
          stdout: false,
          stderr: false,
        });
        worker.unref();
        worker.on('error', () => undefined); // progress is a courtesy: a heartbeat that fails changes nothing
        this.shared = { head: new Int32Array(sab, 0, 3), text: new Uint8Array(sab, HEAD, TEXT), worker };
        if (this.lastText) this.share(`lockscope: ${this.lastText}`);
        return;
      } catch {
        this.shared = undefined; // no threads: the timer below, between awaits
      }
    }
    this.timer = setInterval(() => {
      const t = this.now();
      if (this.lastText && t - this.last >= this.interval) this.print(t);
    }, this.interval);
    this.timer.unref();
  }

  /** The build is over: stop the timer or the heartbeat, and erase the terminal's line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.shared) {
      Atomics.add(this.shared.head, 2, 1); // odd for good: the heartbeat writes nothing more
      void this.shared.worker.terminate();
      this.shared = undefined;
    }
    this.clear();
  }

  /** The line the heartbeat repeats (without the time, which it adds). */
  private share(line: string): void {
    const sh = this.shared!;
    const bytes = new TextEncoder().encode(line).slice(0, TEXT);
    Atomics.add(sh.head, 2, 1); // odd: being replaced
    sh.text.set(bytes);
    Atomics.store(sh.head, 1, bytes.length);
    Atomics.add(sh.head, 2, 1);
  }

  private print(t: number): void {
    this.last = t;
    if (this.shared) Atomics.store(this.shared.head, 0, t - this.t0);
    const secs = Math.floor((t - this.t0) / 1000);
    if (this.tty) {
      const line = `lockscope: ${this.lastText} [${secs} s]`;
      const width = (this.out.columns ?? 80) - 1;
      this.out.write(`\r\x1b[K${line.length > width ? line.slice(0, width) : line}`);
      this.shown = true;
    } else this.out.write(`lockscope: ${this.lastText} [${secs} s]\n`);
  }

  private clear(): void {
    if (this.tty && this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }
}
