/**
 * A mapped splat as text (compiler-style `file:line:col: note:` lines, as `check` prints, so an editor or
 * compilation-mode opens each place) and as JSON (docs/splat.md). `where` turns a tree-relative path into the
 * path printed; the splat's own lines are printed against `input` (the file it was read from).
 */
import { renderMessage } from '../engine/model';
import { type SplatMap, roleWords } from './map';

export interface FormatOptions {
  /** The splat file's name as printed. */
  input: string;
  /** A tree-relative path as printed. */
  where: (file: string) => string;
  warnings: string[];
}

export function splatText(m: SplatMap, o: FormatOptions): string {
  const { splat } = m;
  const out: string[] = [];
  const at = (line: number) => `${o.input}:${line}:`;
  for (const w of o.warnings) out.push(`${o.input}: warning: ${w}`);
  out.push(
    `${at(splat.line)} note: ${splat.kind === 'hung-task' ? 'hung task' : 'lockdep'}: ${splat.title}` +
      `${splat.task && splat.kind !== 'hung-task' ? ` (task ${splat.task})` : ''}; ` +
      `${m.framesInTree} of ${m.frames} frames are functions of the tree`,
  );
  for (const l of m.locks) {
    const classes = l.classes.length
      ? `lockscope's ${l.classes.join(', ')}`
      : l.mapping.pseudo
        ? 'no lock of the tree'
        : 'no class of the tree matches';
    out.push(`${at(l.lock.line)} note: lock ${l.lock.name} (${roleWords(l.role)}): ${classes}; ${l.mapping.rule}`);
    if (l.at)
      out.push(`${o.where(l.at.file)}:${l.at.line}:1: note: in ${l.at.fn}: ${l.lock.name} ${roleWords(l.role)} here`);
  }
  for (const p of m.paths) {
    if (!p.hops.length) {
      out.push(`${o.input}: note: ${p.stack}: none of its functions is in the tree`);
      continue;
    }
    const first = p.hops.find((h) => h.frame)?.frame?.line;
    out.push(`${first ? at(first) : `${o.input}:`} note: static path along the ${p.stack}: ${p.hops.length} functions`);
    for (const h of p.hops) {
      const what = h.frame
        ? `frame of the report (${h.frame.text}, line ${h.frame.line})`
        : 'called between two frames (inlined, a tail call, or not in the trace)';
      const via = h.via ? `; through ${h.via}` : '';
      const src = h.fromFinding ? ' (the predicted finding’s path)' : '';
      out.push(`${o.where(h.file)}:${h.line}:1: note: in ${h.fn}: ${what}${via}${src}`);
    }
    for (const g of p.gaps)
      out.push(
        `${o.input}: warning: ${p.stack}: no static call path from ${g.from} to ${g.to} within 8 calls ` +
          '(a call through a function pointer lockscope does not resolve here, or code outside the tree)',
      );
  }
  if (!m.predicted.length)
    out.push(`${at(splat.line)} warning: no finding of lockscope predicted this report (a path it does not follow?)`);
  for (const p of m.predicted) {
    const f = p.finding;
    const conf = f.confidence && f.confidence !== 'high' ? `, ${f.confidence} confidence` : '';
    const sev = f.severity === 'error' ? 'error' : 'warning';
    out.push(`${o.where(f.file)}:${f.line}:${f.column}: ${sev}: predicted: ${renderMessage(f)} [${f.kind}${conf}]`);
    for (const r of p.reasons) out.push(`    ${r}`);
    for (const s of f.path) out.push(`${o.where(s.file)}:${s.line}:${s.column}: note: in ${s.function}: ${s.note}`);
  }
  return `${out.join('\n')}\n`;
}

export function splatJson(m: SplatMap, o: Pick<FormatOptions, 'warnings'>): string {
  const { splat } = m;
  return (
    JSON.stringify(
      {
        version: 1,
        splat: {
          kind: splat.kind,
          title: splat.title,
          line: splat.line,
          ...(splat.task ? { task: splat.task } : {}),
        },
        frames: m.frames,
        framesInTree: m.framesInTree,
        locks: m.locks.map((l) => ({
          name: l.lock.name,
          role: l.role,
          line: l.lock.line,
          key: l.mapping.key,
          ...(l.mapping.subclass ? { subclass: l.mapping.subclass } : {}),
          classes: l.classes,
          ...(l.mapping.pseudo ? { pseudo: l.mapping.pseudo } : {}),
          rule: l.mapping.rule,
          ...(l.at ? { at: { function: l.at.fn, file: l.at.file, line: l.at.line } } : {}),
        })),
        paths: m.paths.map((p) => ({
          stack: p.stack,
          hops: p.hops.map((h) => ({
            function: h.fn,
            file: h.file,
            line: h.line,
            ...(h.via ? { via: h.via } : {}),
            ...(h.fromFinding ? { fromFinding: true } : {}),
            ...(h.frame ? { frame: { text: h.frame.text, line: h.frame.line } } : {}),
          })),
          gaps: p.gaps,
          outside: p.outside,
        })),
        predicted: m.predicted.map(({ finding: f, reasons }) => ({
          kind: f.kind,
          message: renderMessage(f),
          file: f.file,
          line: f.line,
          column: f.column,
          function: f.function,
          lock: f.lock,
          confidence: f.confidence ?? 'high',
          reasons,
          path: f.path.map((s) => ({ file: s.file, line: s.line, function: s.function, note: s.note })),
        })),
        warnings: o.warnings,
      },
      null,
      2,
    ) + '\n'
  );
}
