/**
 * Walking a finding's path: the current finding and step (picked in the findings view, by Explain Finding, or
 * the finding under the cursor when a walk starts from the editor), Next/Previous Finding Step (ctrl+F8 and
 * ctrl+shift+F8, free in VS Code's defaults; alt+F8 is its next problem in the file) opening each step's
 * place, and the step highlighted where it is: its expression, its line, and a note after it ("step 3/7: …");
 * the path's other steps in the same file are numbered after their lines. The highlight follows the editors
 * shown, and stays until another finding is walked or Clear Finding Path is run.
 */
import * as vscode from 'vscode';
import type { FindingEntry } from '../../server/src/protocol';
import { stepAfter, stepColumns, stepsFromRelated } from './findings-model';

export interface WalkPosition {
  finding: FindingEntry;
  /** undefined: at the finding itself, before its first step. */
  index?: number;
}

const SEVERITY: Record<number, FindingEntry['severity']> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'information',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

/** A diagnostic's code: a string, or `{ value, target }` when the server gave a codeDescription. */
function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code ?? '');
}

/** A lockscope diagnostic as a finding to walk (its related information is the path). */
export function findingOfDiagnostic(uri: vscode.Uri, d: vscode.Diagnostic): FindingEntry {
  const range = (r: vscode.Range) => ({
    start: { line: r.start.line, character: r.start.character },
    end: { line: r.end.line, character: r.end.character },
  });
  return {
    kind: codeOf(d),
    severity: SEVERITY[d.severity] ?? 'warning',
    confidence: 'high',
    uri: uri.toString(),
    file: vscode.workspace.asRelativePath(uri),
    range: range(d.range),
    function: '',
    message: d.message,
    steps: stepsFromRelated(
      (d.relatedInformation ?? []).map((r) => ({
        uri: r.location.uri.toString(),
        file: vscode.workspace.asRelativePath(r.location.uri),
        line: r.location.range.start.line,
        character: r.location.range.start.character,
        message: r.message,
      })),
    ),
  };
}

/** The lockscope findings with a path on the cursor's line (under the cursor first). */
export function diagnosticsAtCursor(editor: vscode.TextEditor): vscode.Diagnostic[] {
  const here = editor.selection.active;
  const diags = vscode.languages
    .getDiagnostics(editor.document.uri)
    .filter((d) => d.source === 'lockscope' && d.relatedInformation?.length);
  const under = diags.filter((x) => x.range.contains(here));
  return under.length ? under : diags.filter((x) => x.range.start.line === here.line);
}

export class StepWalker {
  private at?: WalkPosition;
  private readonly moved = new vscode.EventEmitter<WalkPosition | undefined>();
  /** Fired after each move (and with undefined when the walk is cleared). */
  readonly onDidMove = this.moved.event;
  private readonly current = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('lockscope.currentStepBackground'),
    border: '1px solid',
    borderColor: new vscode.ThemeColor('lockscope.currentStepBorder'),
    borderRadius: '2px',
  });
  private readonly line = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('lockscope.currentStepLineBackground'),
    overviewRulerColor: new vscode.ThemeColor('lockscope.currentStepBorder'),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
  });
  private readonly others = vscode.window.createTextEditorDecorationType({});

  constructor(context: vscode.ExtensionContext) {
    context.subscriptions.push(
      this.current,
      this.line,
      this.others,
      this.moved,
      vscode.window.onDidChangeVisibleTextEditors(() => this.decorate()),
      vscode.commands.registerCommand('lockscope.nextStep', () => this.step(1)),
      vscode.commands.registerCommand('lockscope.previousStep', () => this.step(-1)),
      vscode.commands.registerCommand('lockscope.clearFindingPath', () => this.clear()),
    );
  }

  get position(): WalkPosition | undefined {
    return this.at;
  }

  /** Walk `finding` from its start: open where it is reported; the next step is its first. */
  async start(finding: FindingEntry, preserveFocus = false): Promise<void> {
    this.set({ finding });
    const r = finding.range;
    await this.show(finding.uri, new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character), {
      preserveFocus,
    });
  }

  /** Go to step `index` of `finding` and highlight it. */
  async goTo(finding: FindingEntry, index: number, preserveFocus = false): Promise<void> {
    const s = finding.steps[index];
    if (!s) return;
    this.set({ finding, index });
    const pos = new vscode.Position(s.line, s.character);
    await this.show(s.uri, new vscode.Range(pos, pos), { preserveFocus });
  }

  /** Next (1) or previous (-1) step; with no walk yet, the walk of the finding under the cursor. */
  async step(dir: 1 | -1): Promise<void> {
    if (!this.at) {
      const editor = vscode.window.activeTextEditor;
      const d = editor && diagnosticsAtCursor(editor)[0];
      if (!editor || !d) {
        await vscode.window.showInformationMessage(
          'lockscope: no finding path to walk: pick a finding in the Findings view, or put the cursor on one',
        );
        return;
      }
      this.set({ finding: findingOfDiagnostic(editor.document.uri, d) });
    }
    const { finding, index } = this.at!;
    const next = stepAfter(index, finding.steps.length, dir);
    if (next === undefined) {
      vscode.window.setStatusBarMessage(
        `lockscope: ${dir === 1 ? 'the last' : 'the first'} step of the path (${finding.steps.length} steps)`,
        3000,
      );
      return;
    }
    await this.goTo(finding, next);
  }

  clear(): void {
    this.at = undefined;
    void vscode.commands.executeCommand('setContext', 'lockscope.walkingPath', false);
    this.decorate();
    this.moved.fire(undefined);
  }

  private set(at: WalkPosition): void {
    this.at = at;
    void vscode.commands.executeCommand('setContext', 'lockscope.walkingPath', true);
  }

  private async show(uri: string, selection: vscode.Range, o: { preserveFocus: boolean }): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    const editor = await vscode.window.showTextDocument(doc, { selection, preserveFocus: o.preserveFocus });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    this.decorate();
    this.moved.fire(this.at);
  }

  /** Highlight the current step, and number the path's other steps, in every visible editor. */
  private decorate(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const uri = editor.document.uri.toString();
      const current: vscode.DecorationOptions[] = [];
      const lines: vscode.Range[] = [];
      const others: vscode.DecorationOptions[] = [];
      const at = this.at;
      const steps = at?.finding.steps ?? [];
      steps.forEach((s, i) => {
        if (vscode.Uri.parse(s.uri).toString() !== uri || s.line >= editor.document.lineCount) return;
        const text = editor.document.lineAt(s.line).text;
        const [from, to] = stepColumns(text, s.character);
        const end = text.length;
        if (i === at?.index) {
          current.push({
            range: new vscode.Range(s.line, from, s.line, Math.max(to, from)),
            hoverMessage: `lockscope: step ${i + 1} of ${steps.length} — ${s.function}(): ${s.note}`,
          });
          lines.push(new vscode.Range(s.line, 0, s.line, 0));
          others.push(after(s.line, end, `◀ step ${i + 1}/${steps.length}: ${s.note}`, 'editorWarning.foreground'));
        } else {
          others.push(after(s.line, end, `step ${i + 1}`, 'editorCodeLens.foreground'));
        }
      });
      editor.setDecorations(this.current, current);
      editor.setDecorations(this.line, lines);
      editor.setDecorations(this.others, mergeSameLine(others));
    }
  }
}

/** A note drawn after the end of a line. */
function after(line: number, end: number, text: string, color: string): vscode.DecorationOptions {
  return {
    range: new vscode.Range(line, end, line, end),
    renderOptions: {
      after: {
        contentText: `  ${text}`,
        color: new vscode.ThemeColor(color),
        fontStyle: 'italic',
        margin: '0 0 0 1em',
      },
    },
  };
}

/** Several steps on one line (a loop, a macro): one note, the current step's when it is one of them. */
function mergeSameLine(notes: vscode.DecorationOptions[]): vscode.DecorationOptions[] {
  const isCurrent = (n: vscode.DecorationOptions) => n.renderOptions?.after?.contentText?.includes('◀') === true;
  const byLine = new Map<number, vscode.DecorationOptions>();
  for (const n of notes) if (!byLine.has(n.range.start.line) || isCurrent(n)) byLine.set(n.range.start.line, n);
  return [...byLine.values()];
}

/**
 * Explain Finding: the path of the lockscope finding under the cursor in a picker (up/down shows and highlights
 * each step, Enter stays there); the walk goes on with Next/Previous Step, and the Findings view selects the
 * step when it holds the finding.
 */
export async function explainFinding(walker: StepWalker): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return;
  const candidates = diagnosticsAtCursor(editor);
  if (!candidates.length) {
    await vscode.window.showInformationMessage('lockscope: no finding on this line');
    return;
  }
  // several findings on one line (a recursive lock that is also a forbidden call): say which
  const d =
    candidates.length === 1
      ? candidates[0]
      : (
          await vscode.window.showQuickPick(
            candidates.map((x) => ({ label: codeOf(x), detail: x.message, diagnostic: x })),
            { placeHolder: 'Which finding?', matchOnDetail: true },
          )
        )?.diagnostic;
  if (!d?.relatedInformation) return;
  const finding = findingOfDiagnostic(editor.document.uri, d);
  const items = finding.steps.map((s, index) => ({
    label: `${index + 1}. ${s.function}: ${s.note}`,
    description: `${s.file}:${s.line + 1}`,
    index,
  }));
  const pick = vscode.window.createQuickPick<(typeof items)[number]>();
  pick.title = `${finding.kind}: ${finding.message}`;
  pick.items = items;
  pick.placeholder = 'Up/down walks the path; Enter stays at the step (then ctrl+F8 / ctrl+shift+F8)';
  pick.onDidChangeActive((a) => {
    if (a[0]) void walker.goTo(finding, a[0].index, true);
  });
  pick.onDidAccept(() => {
    const a = pick.activeItems[0];
    pick.hide();
    if (a) void walker.goTo(finding, a.index, false);
  });
  pick.onDidHide(() => pick.dispose());
  pick.show();
}
