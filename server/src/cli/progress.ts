/**
 * Progress of a tree build on stderr, as a terminal user and a CI log each expect it:
 *   - on a terminal, one line rewritten in place (`\r`, erase line): files parsed / total, then linking,
 *     checking functions / total, saving the cache; erased when the run is done;
 *   - otherwise (a pipe, a CI log), a plain line when the phase changes and at least every `interval` ms
 *     while work goes on (default 1 s; $LOCKSCOPE_PROGRESS_INTERVAL in ms overrides it);
 *   - nothing with --quiet.
 * The build reports from its synchronous loops (no timer would fire there), so every update decides here
 * whether it is time to print; a timer repeats the last line only while the build waits on its workers.
 */
import type { BuildPhase } from '../tree/build';

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
    private readonly opts: { quiet?: boolean; interval?: number; now?: () => number } = {},
  ) {
    this.tty = out.isTTY === true;
    this.t0 = this.now();
  }

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
    if (phase === this.lastPhase && t - this.last < this.interval) return;
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
    if (this.opts.quiet || this.tty || this.timer) return;
    this.timer = setInterval(() => {
      const t = this.now();
      if (this.lastText && t - this.last >= this.interval) this.print(t);
    }, this.interval);
    this.timer.unref();
  }

  /** The build is over: stop the timer and erase the terminal's line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private print(t: number): void {
    this.last = t;
    const secs = ((t - this.t0) / 1000).toFixed(0);
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
