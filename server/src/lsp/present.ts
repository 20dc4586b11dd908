/** Translating engine results into LSP shapes: diagnostics with the path as related information, hover text. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CodeAction, CodeActionKind, type Diagnostic, DiagnosticSeverity } from 'vscode-languageserver/node';
import type { FunctionInfo } from '../engine/file';
import { type Finding, type HeldLock, type PathStep, blockingFlags, kindInfo, renderMessage } from '../engine/model';
import type { Acquisition, Deferred, IndirectTarget, Summary } from '../engine/absint';

const SEVERITY: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Where the finding kinds are explained (docs/findings.md, shipped with the extension). */
const DOCS = (() => {
  for (const p of [
    path.join(__dirname, '..', 'docs', 'findings.md'),
    path.join(__dirname, '..', '..', 'docs', 'findings.md'),
  ]) {
    if (fs.existsSync(p)) return pathToFileURL(p).toString();
  }
  return undefined;
})();

/** A finding's message as the editor shows it: below high confidence, the confidence and the doubts after it. */
export function diagnosticMessage(f: Finding): string {
  return f.confidence && f.confidence !== 'high'
    ? `${renderMessage(f)} (${f.confidence} confidence: ${(f.doubts ?? []).join('; ')})`
    : renderMessage(f);
}

export function toDiagnostic(f: Finding, uri: string, uriOf: (file: string, fallback: string) => string): Diagnostic {
  const endLine = Math.max(f.endLine, f.line);
  const endCol = endLine === f.line ? Math.max(f.endColumn, f.column + 1) : f.endColumn;
  return {
    range: { start: { line: f.line - 1, character: f.column - 1 }, end: { line: endLine - 1, character: endCol - 1 } },
    severity: SEVERITY[f.severity],
    source: 'lockscope',
    code: f.kind,
    ...(DOCS ? { codeDescription: { href: `${DOCS}#${kindInfo(f.kind).anchor}` } } : {}),
    message: diagnosticMessage(f),
    relatedInformation: f.path.map((s, i) => ({
      location: {
        uri: s.file === f.file ? uri : uriOf(s.file, uri),
        range: {
          start: { line: s.line - 1, character: s.column - 1 },
          end: { line: s.line - 1, character: s.column - 1 },
        },
      },
      message: `${i + 1}. ${s.function}: ${s.note}`,
    })),
  };
}

/** Code actions for a lockscope diagnostic: silence it with a comment on its line. */
export function suppressActions(
  uri: string,
  diagnostics: Diagnostic[],
  lineText: (line: number) => string,
): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.source !== 'lockscope' || typeof d.code !== 'string') continue;
    const line = d.range.start.line;
    const end = lineText(line).length;
    if (d.relatedInformation?.length) {
      out.push({
        title: 'lockscope: explain this finding (walk its path)',
        kind: CodeActionKind.Empty,
        diagnostics: [d],
        command: { title: 'Explain Finding', command: 'lockscope.explainFinding' },
      });
    }
    out.push({
      title: `lockscope: ignore ${d.code} on this line`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      edit: {
        changes: {
          [uri]: [
            {
              range: { start: { line, character: end }, end: { line, character: end } },
              newText: ` /* lockscope: ignore ${d.code} */`,
            },
          ],
        },
      },
    });
  }
  return out;
}

function describe(h: HeldLock, uri: string): string {
  const mode = h.mode === 'shared' ? 'shared' : 'exclusive';
  const cls = h.class ? `${h.class}, ` : '';
  const where = h.site
    ? `taken at [line ${h.site.line}](${uri}#L${h.site.line}) by \`${h.via}\``
    : `held by the caller (\`${h.via}\`)`;
  return `\`${h.instance}\` (${cls}${h.kind}, ${mode}) — ${where}`;
}

export function hoverMarkdown(
  fn: FunctionInfo,
  held: HeldLock[],
  line: number,
  uri: string,
  callers: { caller: string; file: string; held: string[] }[] = [],
): string {
  const must = held.filter((h) => h.certainty === 'must');
  const may = held.filter((h) => h.certainty === 'may');
  const out = [`**lockscope** · \`${fn.name}()\`, line ${line}`];
  if (!fn.analysed)
    out.push('', "No lock operations in this function; callers' locks are not yet tracked across calls.");
  else if (!held.length) out.push('', 'No locks held here.');
  if (must.length) out.push('', '**Held here:**', ...must.map((h) => `- ${describe(h, uri)}`));
  if (may.length) out.push('', '**Held on some paths only:**', ...may.map((h) => `- ${describe(h, uri)}`));
  if (fn.entryHeld.length)
    out.push('', '**Caller must hold on entry:**', ...fn.entryHeld.map((h) => `- \`${h.instance}\` (\`${h.via}\`)`));
  if (callers.length) {
    // what every caller holds, and what only some do (named)
    const all = callers.reduce<Set<string>>(
      (acc, c) => new Set([...acc].filter((h) => c.held.includes(h))),
      new Set(callers[0].held),
    );
    const some = new Map<string, string[]>();
    for (const c of callers) for (const h of c.held) if (!all.has(h)) some.set(h, [...(some.get(h) ?? []), c.caller]);
    const common = all.size ? [...all].map(code).join(', ') : 'nothing in common';
    out.push('', `**Callers (${callers.length}) hold on entry:** ${common}`);
    for (const [h, who] of some)
      out.push(
        `- \`${h}\` from ${who
          .slice(0, 4)
          .map((w) => `\`${w}()\``)
          .join(', ')}${who.length > 4 ? ` and ${who.length - 4} more` : ''}`,
      );
  }
  return out.join('\n');
}

/** The identifier at `character` (0-based) of `text` when it names a called function: `foo(` or `foo (`. */
export function calleeAt(text: string, character: number): string | undefined {
  for (const m of text.matchAll(/[A-Za-z_]\w*/g)) {
    const start = m.index ?? 0;
    if (character < start || character > start + m[0].length) continue;
    return /^\s*\(/.test(text.slice(start + m[0].length)) ? m[0] : undefined;
  }
  return undefined;
}

const where = (s: PathStep) => `${s.file}:${s.line} \`${s.function}()\``;

/** On a call: what the callee may take (and where, deep inside), what it needs held, whether it may sleep. */
export function calleeMarkdown(name: string, s: Summary, resolve?: (d: Deferred) => IndirectTarget[]): string {
  const out = [`**Calling \`${name}()\`**`];
  // calls through function pointers inside, resolved from where this call is made (ops tables first)
  const through: { a: Acquisition; via: string; at?: PathStep }[] = [];
  for (const d of s.deferred) {
    for (const t of resolve?.(d) ?? [])
      for (const a of t.summary.acquires)
        through.push({ a, via: `->${d.field} = ${t.summary.name}() (${t.via})`, at: d.witness[d.witness.length - 1] });
  }
  const acquires = [
    ...s.acquires.map((a) => ({ a, via: undefined as string | undefined, at: undefined as PathStep | undefined })),
    ...through,
  ];
  if (acquires.length) {
    out.push('', '**May take:**');
    for (const { a, via, at } of acquires.slice(0, 8)) {
      if (via) {
        const called = at ? `, called at ${where(at)}` : '';
        out.push(`- ${code(a.ref.display)}${a.ref.class ? ` (${a.ref.class})` : ''} — through ${via}${called}`);
        continue;
      }
      out.push(`- ${code(a.ref.display)}${classOf(a)}${takenAt(a.witness)}`);
    }
    if (acquires.length > 8) out.push(`- and ${acquires.length - 8} more`);
  }
  const unresolved = s.deferred.filter((d) => !(resolve?.(d) ?? []).length);
  if (unresolved.length)
    out.push(
      '',
      `**Calls through pointers not resolved here:** ${unresolved.map((d) => `\`->${d.field}\``).join(', ')}`,
    );
  const changes = s.effects.filter((e) => !e.onReturn);
  if (changes.length) out.push('', `**On return:** ${changes.map(onReturn).join('; ')}`);
  const tries = s.effects.filter((e) => e.onReturn);
  if (tries.length)
    out.push(
      '',
      `**Trylock-style:** holds ${tries.map((e) => `${code(e.ref.display)} when it returns ${returns(e)}`).join('; ')}`,
    );
  if (s.requires.length)
    out.push('', `**Needs held:** ${s.requires.map((r) => `${code(r.ref.display)} (${neededFor(r)})`).join(', ')}`);
  if (s.sleeps?.length)
    out.push('', `**May sleep:** ${s.sleeps[s.sleeps.length - 1].note} at ${where(s.sleeps[s.sleeps.length - 1])}`);
  else if (s.sleepsIf?.length)
    out.push('', `**May sleep, depending on its arguments:** ${s.sleepsIf.map(sleepsWhen).join('; ')}`);
  const fault = s.faults?.[s.faults.length - 1];
  if (fault) out.push('', `**May fault on user memory:** ${fault.note} at ${where(fault)}`);
  const alloc = s.reclaims?.[s.reclaims.length - 1];
  if (alloc) out.push('', `**May enter reclaim:** ${alloc.note} at ${where(alloc)}`);
  return out.length > 1 ? out.join('\n') : `${out[0]}: takes no lock, does not sleep as far as lockscope sees`;
}

/** A sleep under a condition its callers decide, in words: `if flags {1} allow blocking, when {2} is true`. */
function sleepsWhen(w: NonNullable<Summary['sleepsIf']>[number]): string {
  const last = w.witness[w.witness.length - 1];
  const parts = w.when.map((t) => {
    const flags = blockingFlags(t.test);
    return flags !== undefined
      ? `if flags ${code(flags)} ${t.value ? 'allow' : 'do not allow'} blocking`
      : `when ${code(t.test)} is ${t.value ? 'true' : 'false'}`;
  });
  return `${parts.join(', ')} (${last ? `${last.note} at ${where(last)}` : 'inside'})`;
}

/** Inline code in hover Markdown. */
function code(s: string): string {
  return `\`${s}\``;
}

/** " (class)" or " (class, shared)" after a lock, when its class is known. */
function classOf(a: { ref: { class?: string | null }; mode?: string }): string {
  return a.ref.class ? ` (${a.ref.class}${a.mode === 'shared' ? ', shared' : ''})` : '';
}

/** " — at file:line, N calls down" for the last step of an acquisition's witness. */
function takenAt(witness: readonly PathStep[]): string {
  const last = witness[witness.length - 1];
  if (!last) return '';
  const depth = witness.length > 1 ? `, ${witness.length - 1} call${witness.length === 2 ? '' : 's'} down` : '';
  return ` — at ${where(last)}${depth}`;
}

/** "holds X (when `t` is v)" / "has released X" for one effect on return. */
function onReturn(e: { delta: number; ref: { display: string }; when?: { test: string; value: unknown } }): string {
  const when = e.when ? ` (when ${code(e.when.test)} is ${String(e.when.value)})` : '';
  return `${e.delta > 0 ? 'holds' : 'has released'} ${code(e.ref.display)}${when}`;
}

/** "0" or "nonzero": what a trylock-style function returns when it holds the lock. */
function returns(e: { onReturn?: string }): string {
  return e.onReturn === 'zero' ? '0' : 'nonzero';
}

/** Why a function needs a lock held: for a callee, or by its own assertion. */
function neededFor(r: { callee?: string; via: string }): string {
  return r.callee ? `for ${code(`${r.callee}()`)}` : code(r.via);
}
