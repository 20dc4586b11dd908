/**
 * Suppression comments: `/* lockscope: ignore recursive-lock *\/` (or `lockscope: ignore` for every kind)
 * on the reported line, or alone on the line above it, silences that finding. Kernel style keeps
 * such a comment next to the code it excuses, where a reviewer sees it.
 */
import type { Finding } from '../model';

const RE = /lockscope:\s*ignore\b([^*\n]*)/;

/** Line (1-based) -> the kinds ignored there ('*' for all). */
export function suppressions(text: string): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  if (!text.includes('lockscope:')) return out;
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const m = RE.exec(line);
    if (!m) return;
    const kinds = m[1].split(/[\s,]+/).filter((k) => /^[a-z-]+$/.test(k));
    const set = new Set(kinds.length ? kinds : ['*']);
    // a comment alone on its line applies to the next line
    const alone = /^\s*(\/\*.*\*\/|\/\/.*)\s*$/.test(line);
    out.set(alone ? i + 2 : i + 1, set);
  });
  return out;
}

export function unsuppressed(findings: Finding[], marks: Map<number, Set<string>>): Finding[] {
  if (!marks.size) return findings;
  return findings.filter((f) => {
    const s = marks.get(f.line);
    return !(s && (s.has('*') || s.has(f.kind)));
  });
}
