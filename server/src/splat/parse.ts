/**
 * Reading a kernel splat: a lockdep report (recursive locking, a circular dependency, an irq lock inversion, an
 * inconsistent lock state) or a hung-task trace, as the kernel prints them (kernel/locking/lockdep.c,
 * kernel/hung_task.c) and as they reach a user: with printk timestamps (`[  12.345678]`), caller ids
 * (`[ T123]`), syslog or journal prefixes, `? ` before unreliable frames, `+0x1a/0x40 [module]` offsets and
 * compiler suffixes (`.cold`, `.isra.0`). The text is data: nothing in it decides what code runs; a line this
 * reader does not know is skipped, and input that holds no splat gets a clear reason, never an exception.
 */

export type SplatKind = 'recursive' | 'circular' | 'irq-inversion' | 'inconsistent' | 'hung-task';

/** One frame of a call trace. */
export interface Frame {
  /** The function, compiler suffixes dropped (`btrfs_sync_file` of `btrfs_sync_file.cold+0x1/0x2`). */
  fn: string;
  /** As printed (`btrfs_sync_file+0xf7/0x560 [btrfs]`). */
  text: string;
  module?: string;
  /** Printed with `? `: a stale return address the unwinder found on the stack, not a caller. */
  unreliable: boolean;
  /** 1-based line of the input. */
  line: number;
}

/** A lock the report names, with the function it was taken at (`at: func+off/len`). */
export interface SplatLock {
  /** As lockdep prints it, without the parentheses (`&sb->s_type->i_mutex_key#11`, `&ei->i_data_sem/1`). */
  name: string;
  /**
   * `acquire` (is trying to acquire / takes), `held` (is already holding / just changed the state of),
   * `other` (the lock of the other side of an irq inversion), `chain` (an entry of the dependency chain).
   */
  role: 'acquire' | 'held' | 'other' | 'chain';
  at?: Frame;
  line: number;
}

/** A call trace, innermost frame first as printed. */
export interface Stack {
  /** `stack backtrace`, `call trace`, `#1 &sbi->orphan_lock` (a dependency chain entry), `... registered at`. */
  label: string;
  /** For a dependency chain entry: the lock it took. */
  lock?: string;
  frames: Frame[];
}

/** An entry of a "N locks held by task/pid" list. */
export interface HeldLock {
  /** `aio-stress/922`. */
  task: string;
  name: string;
  at?: Frame;
  line: number;
}

export interface Splat {
  kind: SplatKind;
  /** The report's heading (`possible recursive locking detected`). */
  title: string;
  /** 1-based line of the heading. */
  line: number;
  /** The task the report is about: `aio-stress/922` (lockdep) or `aio-stress:922` (hung task), as printed. */
  task?: string;
  pid?: number;
  locks: SplatLock[];
  stacks: Stack[];
  held: HeldLock[];
}

export type ParseResult = { ok: true; splat: Splat; warnings: string[] } | { ok: false; message: string };

/** More than this is no splat (a whole boot log can be, but the report is read from its heading on). */
export const MAX_INPUT = 8 * 1024 * 1024;
const MAX_LINE = 4096;
/**
 * Bounds that keep the mapping's call-graph searches few: a kernel trace is at most a few dozen frames, lockdep's
 * chain a few entries; a log that runs past them is not one report.
 */
export const MAX_FRAMES = 200;
export const MAX_STACKS = 32;
const MAX_HELD = 1000;

const HEADINGS: { re: RegExp; kind: SplatKind }[] = [
  { re: /WARNING: (possible recursive locking detected)/, kind: 'recursive' },
  { re: /WARNING: (possible circular locking dependency detected)/, kind: 'circular' },
  { re: /WARNING: (possible irq lock inversion dependency detected)/, kind: 'irq-inversion' },
  { re: /WARNING: (inconsistent lock state)/, kind: 'inconsistent' },
  { re: /INFO: (task (\S.*?):(\d+) blocked for more than \d+ seconds)/, kind: 'hung-task' },
];

/** The kernel's own text of a line: printk level, syslog/journal prefix, timestamp and caller id removed. */
export function cleanLine(raw: string): string {
  let s = raw.replace(/\r$/, '');
  // `Dec  3 12:00:01 host kernel: ` (syslog) and `2026-12-03T12:00:01+0000 host kernel: ` (journal)
  s = s.replace(/^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT[\d:.]+(?:[+-][\d:]+|Z)?) \S+ kernel: /, '');
  s = s.replace(/^<\d>/, '');
  for (let i = 0; i < 3; i++) s = s.replace(/^\[\s*(?:\d+\.\d+|[TC]\d+)\]\s?/, '');
  return s;
}

const FRAME =
  /^\s*(?:\[<[0-9a-fA-F]+>\]\s*)?(\?\s+)?([A-Za-z_$][\w$.]*)\+(0x[0-9a-fA-F]+)\/(0x[0-9a-fA-F]+)(?:\s+\[([\w-]+)\])?\s*$/;

/** `name.isra.0`, `name.cold`, `name.constprop.3`, `name.part.1`, `name.llvm.123`: the function is `name`. */
export function baseName(fn: string): string {
  return fn.replace(/\.(?:cold|isra|constprop|part|llvm|lto_priv|clone|multi)(?:\.\d+)*.*$/, '').replace(/\.\d+$/, '');
}

/** A frame line, or undefined. */
export function parseFrame(text: string, line: number): Frame | undefined {
  const m = FRAME.exec(text);
  if (!m) return undefined;
  return {
    fn: baseName(m[2]),
    text: text.trim().replace(/^\?\s+/, ''),
    ...(m[5] ? { module: m[5] } : {}),
    unreliable: !!m[1],
    line,
  };
}

/** ` #0: ffff888217412010 (NAME){++++}-{3:3}, at: func+0x6e/0x630 [mod]` and its shorter forms. */
const LOCK = /^\s*(?:#(\d+):\s*)?(?:[0-9a-fA-F]{8,16}\s+)?\((.+)\)\{[^{}]*\}(?:-\{\d+:\d+\})?(?:,\s*at:\s*(.*?))?\s*$/;
/** `-> #1 (NAME){+.+.}-{3:3}:` */
const CHAIN = /^\s*->\s*#(\d+)\s+\((.+)\)\{[^{}]*\}(?:-\{\d+:\d+\})?:?\s*$/;
const HELD_BY = /^\s*(?:\d+|no) locks? held by (.+?):?\s*$/;

function lockOf(text: string, line: number): { name: string; at?: Frame; index?: number } | undefined {
  const m = LOCK.exec(text);
  if (!m) return undefined;
  const at = m[3] ? parseFrame(m[3], line) : undefined;
  return { name: m[2].trim(), ...(at ? { at } : {}), ...(m[1] ? { index: Number(m[1]) } : {}) };
}

type Section =
  { k: 'none' } | { k: 'lock'; role: SplatLock['role'] } | { k: 'held'; task: string } | { k: 'stack'; stack: Stack };

/** The first report heading of `lines`. */
function findHeading(
  lines: string[],
): { start: number; kind: SplatKind; title: string; task?: string; pid?: number } | undefined {
  for (let i = 0; i < lines.length; i++) {
    for (const h of HEADINGS) {
      const m = h.re.exec(lines[i]);
      if (!m) continue;
      if (h.kind !== 'hung-task') return { start: i, kind: h.kind, title: m[1] };
      return { start: i, kind: h.kind, title: m[1], task: `${m[2]}:${m[3]}`, pid: Number(m[3]) };
    }
  }
  return undefined;
}

/** Read the first splat of `input`. */
export function parseSplat(input: string): ParseResult {
  if (input.length > MAX_INPUT)
    return { ok: false, message: `the input is ${input.length} bytes; a splat is read from at most ${MAX_INPUT}` };
  if (input.includes('\0')) return { ok: false, message: 'the input is binary (it holds NUL bytes), not a kernel log' };
  const lines = input.split('\n').map((l) => (l.length > MAX_LINE ? '' : cleanLine(l)));
  const warnings: string[] = [];
  const h = findHeading(lines);
  if (!h)
    return {
      ok: false,
      message:
        'no lockdep report or hung-task trace found: looked for a "WARNING: possible recursive locking detected", ' +
        '"WARNING: possible circular locking dependency detected", "WARNING: possible irq lock inversion dependency ' +
        'detected", "WARNING: inconsistent lock state" or "INFO: task NAME:PID blocked for more than N seconds" line',
    };
  const { start, kind, title, task, pid } = h;
  const splat: Splat = { kind, title, line: start + 1, locks: [], stacks: [], held: [], ...(task ? { task } : {}) };
  if (pid !== undefined) splat.pid = pid;
  let sec: Section = { k: 'none' };
  const newStack = (label: string, lock?: string): Section => {
    if (splat.stacks.length >= MAX_STACKS) return { k: 'none' };
    const stack: Stack = { label, ...(lock ? { lock } : {}), frames: [] };
    splat.stacks.push(stack);
    return { k: 'stack', stack };
  };
  for (let i = start + 1; i < lines.length; i++) {
    const t = lines[i];
    const n = i + 1;
    if (HEADINGS.some((h) => h.re.test(t))) {
      warnings.push(`line ${n}: another report begins here; only the first (line ${start + 1}) is read`);
      break;
    }
    let m: RegExpExecArray | null;
    if ((m = /^\s*(\S.*?) is trying to acquire lock:/.exec(t))) {
      splat.task ??= m[1];
      sec = { k: 'lock', role: 'acquire' };
    } else if (/but task is already holding lock:/.test(t)) sec = { k: 'lock', role: 'held' };
    else if ((m = /^\s*(\S.*?) just changed the state of lock:/.exec(t))) {
      splat.task ??= m[1];
      sec = { k: 'lock', role: 'held' };
    } else if (/but this lock (?:took|was taken by) another/.test(t)) sec = { k: 'lock', role: 'other' };
    else if ((m = /^\s*(\S.*?) \[HC\d\[\d+\]:SC\d\[\d+\]:HE\d:SE\d\] takes:/.exec(t))) {
      splat.task ??= m[1];
      sec = { k: 'lock', role: 'acquire' };
    } else if ((m = CHAIN.exec(t))) {
      splat.locks.push({ name: m[2].trim(), role: 'chain', line: n });
      sec = newStack(`dependency chain #${m[1]}`, m[2].trim());
    } else if ((m = HELD_BY.exec(t))) sec = { k: 'held', task: m[1] };
    else if (/stack backtrace:|^\s*Call Trace:/.test(t)) {
      // a hung task's and lockdep's traces: one stack (lockdep prints "Call Trace:" after "stack backtrace:")
      const last = splat.stacks[splat.stacks.length - 1];
      if (sec.k === 'stack' && sec.stack === last && !last.frames.length) continue;
      sec = newStack(splat.kind === 'hung-task' ? 'call trace' : 'stack backtrace');
    } else if (
      (m = /^\s*(\{[A-Z-]+\} state was registered at|the (?:shortest )?dependencies between .*? are):?/.exec(t))
    )
      sec = newStack(m[1]);
    else if (
      /Showing all locks held in the system|other info that might help|Possible (?:unsafe locking|interrupt unsafe locking) scenario|\*\*\* DEADLOCK \*\*\*/.test(
        t,
      )
    )
      sec = { k: 'none' };
    else if (sec.k === 'lock') {
      const l = lockOf(t, n);
      if (l) {
        splat.locks.push({ name: l.name, role: sec.role, line: n, ...(l.at ? { at: l.at } : {}) });
        sec = { k: 'none' };
      }
    } else if (sec.k === 'held') {
      const l = lockOf(t, n);
      if (l && splat.held.length < MAX_HELD)
        splat.held.push({ task: sec.task, name: l.name, line: n, ...(l.at ? { at: l.at } : {}) });
      else if (t.trim()) sec = { k: 'none' };
    } else if (sec.k === 'stack') sec = stackLine(sec, t, n);
  }
  return finish(splat, warnings);
}

/** A line inside a trace: a frame, a register dump or marker to skip, or its end. */
function stackLine(sec: Section & { k: 'stack' }, t: string, n: number): Section {
  const f = parseFrame(t, n);
  if (f) {
    if (sec.stack.frames.length < MAX_FRAMES) sec.stack.frames.push(f);
  } else if (/^\s*(?:RIP|Code|RSP|RAX|RDX|RBP|R\d+|FS|CS|CR2|DR\d|PKRU):/.test(t)) return sec;
  else if (/^\s*<\/?(?:TASK|IRQ|NMI|SOFTIRQ|EOI)>\s*$/.test(t)) return sec;
  else if (!t.trim() && !sec.stack.frames.length) return sec;
  else if (!t.trim() || /^\s*(?:CPU|Hardware name|Workqueue|task:)/.test(t)) {
    if (sec.stack.frames.length) return { k: 'none' };
  }
  return sec;
}

/** Traces without frames dropped; a report of which nothing could be read is none. */
function finish(splat: Splat, warnings: string[]): ParseResult {
  splat.stacks = splat.stacks.filter((s) => s.frames.length);
  if (!splat.locks.length && !splat.stacks.length)
    return {
      ok: false,
      message:
        `line ${splat.line}: "${splat.title}", but no lock and no call trace could be read after it ` +
        "(cut short, or not in the kernel's format?)",
    };
  if (splat.kind !== 'hung-task' && !splat.locks.some((l) => l.role === 'acquire' || l.role === 'held'))
    warnings.push('no "trying to acquire"/"already holding" lock lines were read: the report may be cut short');
  if (!splat.stacks.length) warnings.push('no call trace was read: only the locks are mapped');
  if (splat.stacks.some((s) => s.frames.length >= MAX_FRAMES))
    warnings.push(`a call trace of more than ${MAX_FRAMES} frames was cut there: not one report's`);
  return { ok: true, splat, warnings };
}
