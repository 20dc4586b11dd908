/**
 * A baseline: findings a team has read and accepted, kept in a file (`.lockscope-baseline.json` by
 * default) so that CI and the editor show only new ones. A finding is matched by a fingerprint that
 * survives edits elsewhere in the file — kind, function, lock instance and the message with its line
 * numbers taken out — and by its file, compared by path suffix so a baseline written from `check fs/`
 * also applies to `check fs/btrfs` and in the editor.
 */
import { createHash } from 'node:crypto';
import { type Finding, renderMessage } from '../model';

export const BASELINE_FILE = '.lockscope-baseline.json';

export interface BaselineEntry {
  fingerprint: string;
  kind: string;
  file: string;
  function: string;
  message: string;
}

/**
 * The message without what moves when code is edited: line numbers and file:line references. It is
 * computed from the rendered text, exactly as baselines written before messages had `refs` were, so
 * that they keep matching.
 */
function stableMessage(m: string): string {
  return m.replace(/\b(lines?) \d+/g, '$1 #').replace(/:\d+\b/g, ':#');
}

export function fingerprint(f: Finding): string {
  const key = [f.kind, f.function, f.lock?.instance ?? '', stableMessage(renderMessage(f))].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function sameFile(a: string, b: string): boolean {
  // file names print relative to where lockscope ran: `../btrfs/x.c` from fs/ext4 is `fs/btrfs/x.c` from the root
  const bare = (f: string) => f.replace(/^(\.\.?\/)+/, '');
  [a, b] = [bare(a), bare(b)];
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}

export class Baseline {
  private readonly byPrint = new Map<string, BaselineEntry[]>();

  constructor(readonly entries: BaselineEntry[]) {
    for (const e of entries) this.byPrint.set(e.fingerprint, [...(this.byPrint.get(e.fingerprint) ?? []), e]);
  }

  /** Parse a baseline file's text; a malformed file is an error with a message, never a silent empty baseline. */
  static parse(text: string, name: string): Baseline {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new Error(`${name}: not JSON (${(e as Error).message})`, { cause: e });
    }
    const r = raw as { version?: unknown; findings?: unknown };
    if (!r || typeof r !== 'object' || r.version !== 1 || !Array.isArray(r.findings)) {
      throw new Error(`${name}: not a lockscope baseline (expected {"version": 1, "findings": [...]})`);
    }
    const entries: BaselineEntry[] = [];
    r.findings.forEach((e: unknown, i: number) => {
      const x = e as Partial<BaselineEntry>;
      if (!x || typeof x.fingerprint !== 'string' || typeof x.file !== 'string')
        throw new Error(`${name}: findings[${i}] needs "fingerprint" and "file"`);
      entries.push({
        fingerprint: x.fingerprint,
        file: x.file,
        kind: String(x.kind ?? ''),
        function: String(x.function ?? ''),
        message: String(x.message ?? ''),
      });
    });
    return new Baseline(entries);
  }

  has(f: Finding): boolean {
    return this.lists(fingerprint(f), f.file);
  }

  /** Whether an entry with this fingerprint and a matching file is in the baseline. */
  lists(print: string, file: string): boolean {
    return (this.byPrint.get(print) ?? []).some((e) => sameFile(e.file, file));
  }

  /** The findings not in the baseline, and how many were. */
  filter(findings: Finding[]): { kept: Finding[]; baselined: number } {
    const kept = findings.filter((f) => !this.has(f));
    return { kept, baselined: findings.length - kept.length };
  }

  static entryOf(f: Finding): BaselineEntry {
    return { fingerprint: fingerprint(f), kind: f.kind, file: f.file, function: f.function, message: renderMessage(f) };
  }

  /** The file's text: sorted, one entry per finding, readable in review. */
  static format(entries: BaselineEntry[]): string {
    const seen = new Set<string>();
    const unique = entries.filter((e) => {
      const k = `${e.fingerprint}|${e.file}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    unique.sort(
      (a, b) =>
        a.file.localeCompare(b.file) ||
        a.function.localeCompare(b.function) ||
        a.fingerprint.localeCompare(b.fingerprint),
    );
    return `${JSON.stringify({ version: 1, findings: unique }, null, 2)}\n`;
  }
}
