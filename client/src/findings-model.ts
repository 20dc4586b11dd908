/**
 * The findings view's model, as plain data (no `vscode` here, so the unit tests run it under node): findings
 * grouped by file, then by kind, each finding with its path steps as children; the labels the view shows; and
 * the range a step highlights. Order is fixed so the tree does not jump between refreshes: files by path,
 * kinds by severity (errors first) then name, findings by position, steps in the order the server sent them
 * (the user's `pathOrder`). Node ids stay the same across refreshes while a finding only moves between lines,
 * so what is expanded stays expanded.
 */
import type { FindingEntry, FindingStep } from '../../server/src/protocol';

export interface FileNode {
  type: 'file';
  id: string;
  file: string;
  uri: string;
  count: number;
  children: KindNode[];
}
export interface KindNode {
  type: 'kind';
  id: string;
  parent: FileNode;
  kind: string;
  severity: FindingEntry['severity'];
  children: FindingNode[];
}
export interface FindingNode {
  type: 'finding';
  id: string;
  parent: KindNode;
  finding: FindingEntry;
  children: StepNode[];
}
export interface StepNode {
  type: 'step';
  id: string;
  parent: FindingNode;
  finding: FindingEntry;
  index: number;
  step: FindingStep;
}
export type FindingsNode = FileNode | KindNode | FindingNode | StepNode;

const RANK: Record<FindingEntry['severity'], number> = { error: 0, warning: 1, information: 2, hint: 3 };

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The view's roots: one node per file that has findings, the rest below them. */
export function buildTree(findings: readonly FindingEntry[]): FileNode[] {
  const files = new Map<string, FindingEntry[]>();
  for (const f of findings) files.set(f.uri, [...(files.get(f.uri) ?? []), f]);
  const roots: FileNode[] = [];
  for (const [uri, list] of files) {
    const file: FileNode = {
      type: 'file',
      id: `file:${uri}`,
      file: list[0].file,
      uri,
      count: list.length,
      children: [],
    };
    const kinds = new Map<string, FindingEntry[]>();
    for (const f of list) kinds.set(f.kind, [...(kinds.get(f.kind) ?? []), f]);
    for (const [kind, of] of kinds) {
      const severity = of.reduce((w, f) => (RANK[f.severity] < RANK[w] ? f.severity : w), of[0].severity);
      const node: KindNode = { type: 'kind', id: `${file.id}#${kind}`, parent: file, kind, severity, children: [] };
      const seen = new Map<string, number>();
      for (const f of [...of].sort(byPosition)) {
        // the n-th finding of this kind in this function: stable while edits move it between lines
        const key = `${f.function}\u0000${f.message.replace(/\d+/g, '#')}`;
        const n = seen.get(key) ?? 0;
        seen.set(key, n + 1);
        const fnode: FindingNode = {
          type: 'finding',
          id: `${node.id}#${key}#${n}`,
          parent: node,
          finding: f,
          children: [],
        };
        fnode.children = f.steps.map((step, index) => ({
          type: 'step',
          id: `${fnode.id}#${index}`,
          parent: fnode,
          finding: f,
          index,
          step,
        }));
        node.children.push(fnode);
      }
      file.children.push(node);
    }
    file.children.sort((a, b) => RANK[a.severity] - RANK[b.severity] || byText(a.kind, b.kind));
    roots.push(file);
  }
  return roots.sort((a, b) => byText(a.file, b.file) || byText(a.uri, b.uri));
}

function byPosition(a: FindingEntry, b: FindingEntry): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;
}

/** The finding node of `roots` at this place (file, kind, first line), if the view has it. */
export function findFinding(
  roots: readonly FileNode[],
  uri: string,
  kind: string,
  line: number,
): FindingNode | undefined {
  const file = roots.find((r) => r.uri === uri);
  const k = file?.children.find((c) => c.kind === kind);
  return k?.children.find((f) => f.finding.range.start.line === line);
}

/** Every node, depth first (for tests and for finding a node by id). */
export function* walk(roots: readonly FindingsNode[]): Generator<FindingsNode> {
  for (const r of roots) {
    yield r;
    if (r.type !== 'step') yield* walk(r.children);
  }
}

export interface NodeText {
  label: string;
  description?: string;
  tooltip: string;
}

/** What a node says in the view. */
export function textOf(n: FindingsNode): NodeText {
  switch (n.type) {
    case 'file':
      return { label: n.file, description: `${n.count}`, tooltip: `${n.count} finding${n.count === 1 ? '' : 's'}` };
    case 'kind': {
      const c = n.children.length;
      return { label: n.kind, description: `${c}`, tooltip: `${c} ${n.kind} finding${c === 1 ? '' : 's'}` };
    }
    case 'finding': {
      const f = n.finding;
      const line = f.range.start.line + 1;
      const steps = `${f.steps.length} step${f.steps.length === 1 ? '' : 's'}`;
      const what = `${f.kind} (${f.severity}, ${f.confidence} confidence) in ${f.function}() at ${f.file}:${line}`;
      return {
        label: f.message,
        description: `${f.function}() · line ${line}`,
        tooltip: `${what}\n${f.message}\n${steps}`,
      };
    }
    case 'step':
      return {
        label: `${n.index + 1}. ${n.step.function}: ${n.step.note}`,
        description: `${n.step.file}:${n.step.line + 1}`,
        tooltip:
          `step ${n.index + 1} of ${n.finding.steps.length}: ` +
          `${n.step.function}() at ${n.step.file}:${n.step.line + 1}\n${n.step.note}`,
      };
  }
}

/**
 * The columns a step highlights on its line, from `character`: the identifier there and, when it is called,
 * its argument list up to the matching parenthesis (`btrfs_direct_write(iocb, from)`); a step that points at
 * no identifier highlights the rest of the line's code. Columns are 0-based, end exclusive.
 */
export function stepColumns(text: string, character: number): [number, number] {
  const at = Math.min(Math.max(0, character), text.length);
  const word = /^[A-Za-z_]\w*/.exec(text.slice(at));
  if (!word) {
    const rest = text.slice(at).replace(/\s+$/, '');
    return rest.length ? [at, at + rest.length] : [at, at];
  }
  let end = at + word[0].length;
  const open = /^\s*\(/.exec(text.slice(end));
  if (open) {
    let depth = 0;
    for (let i = end + open[0].length - 1; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) {
        end = i + 1;
        break;
      }
    }
  }
  return [at, end];
}

/** The step after (`+1`) or before (`-1`) `index` in a path of `length` steps; undefined past either end. */
export function stepAfter(index: number | undefined, length: number, dir: 1 | -1): number | undefined {
  if (length === 0) return undefined;
  if (index === undefined) return dir === 1 ? 0 : length - 1;
  const next = index + dir;
  return next >= 0 && next < length ? next : undefined;
}

/**
 * A finding from a diagnostic's related information (`N. function: note` messages, as the server writes them),
 * for walking a finding the cursor is on when the view does not have it (a file outside an indexed tree).
 */
export function stepsFromRelated(
  related: readonly { uri: string; file: string; line: number; character: number; message: string }[],
): FindingStep[] {
  return related.map((r) => {
    const m = /^\d+\.\s+([^:]+):\s*(.*)$/s.exec(r.message);
    return {
      uri: r.uri,
      file: r.file,
      line: r.line,
      character: r.character,
      function: m ? m[1] : '',
      note: m ? m[2] : r.message,
    };
  });
}
