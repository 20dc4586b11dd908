/**
 * One file's contribution to the tree index, as plain data: every function's IR with the struct types
 * of its variables, the ops-table slots it fills, its struct/typedef/return-type facts, its integer
 * macros, its suppression comments and its counts. Made where the syntax tree is (an extraction worker,
 * or the main thread for small trees); the tree is deleted before the record leaves. Records are
 * structured-clonable (Maps, Sets, no functions), so they cross threads and go to the on-disk cache as
 * they are; `rehydrate` gives the IR back the one function it carries (`canon`).
 */
import type { Tree } from 'web-tree-sitter';
import { Aliases } from '../syntax';
import { type Classifier, lockSite, topLevelDefs } from '../syntax';
import { functionName } from '../syntax';
import { buildCfg } from '../cfg';
import type { Catalog } from '../model';
import { ConfigView, catalogFor, type Settings } from '../model';
import type { FunctionIR } from '../ir';
import type { OpsSlot } from '../ir';
import { Macros } from '../syntax';
import { type Grammar, normaliseLineBreaks, rejectReason } from '../syntax';
import { suppressions } from '../checks';
import { TypeTable, type TypeFacts } from '../syntax';
import { type FileStats, emptyStats, mergeStats } from '../model';

export interface FnRecord {
  ir: FunctionIR;
  /** Struct types of parameters and locals, by name; only for functions with locks or indirect calls to classify. */
  vars?: Map<string, string>;
}

export interface FileRecord {
  /** Path relative to the tree root (POSIX). */
  file: string;
  /** Set when the file was not analysed (binary, too large, no tree); everything else is then empty. */
  skipped?: string;
  stats: FileStats;
  fns: FnRecord[];
  slots: OpsSlot[];
  types: TypeFacts;
  macros: Map<string, string>;
  /** Suppression comments: line -> kinds. */
  suppressed: Map<number, Set<string>>;
  /** Functions the file exports to modules (`EXPORT_SYMBOL_GPL(name);`). */
  exports?: string[];
}

/** `EXPORT_SYMBOL(name)`, `EXPORT_SYMBOL_GPL`, `EXPORT_SYMBOL_NS(name, ns)`, `EXPORT_SYMBOL_NS_GPL`. */
const EXPORT = /^[ \t]*EXPORT_SYMBOL(?:_NS)?(?:_GPL)?[ \t]*\([ \t]*([A-Za-z_]\w*)/gm;

/** The names a file exports. */
export function exportsOf(text: string): string[] {
  if (!text.includes('EXPORT_SYMBOL')) return [];
  const out: string[] = [];
  EXPORT.lastIndex = 0;
  for (let m = EXPORT.exec(text); m; m = EXPORT.exec(text)) out.push(m[1]);
  return out;
}

export function skippedRecord(file: string, reason: string): FileRecord {
  return {
    file,
    skipped: reason,
    stats: emptyStats(),
    fns: [],
    slots: [],
    types: new TypeTable().facts(),
    macros: new Map(),
    suppressed: new Map(),
  };
}

export class Extractor implements Classifier {
  private readonly catalog: Catalog;
  private readonly loopMacros: Set<string>;
  private readonly config: ConfigView;
  private readonly lockNames: Set<string>;

  constructor(
    private readonly grammar: Grammar,
    private readonly settings: Settings,
  ) {
    this.catalog = catalogFor(settings);
    this.loopMacros = new Set(settings.loopMacros);
    this.config = new ConfigView(settings.kernelConfig);
    this.lockNames = new Set(this.catalog.lockNames());
  }

  isLock(name: string): boolean {
    return this.lockNames.has(name);
  }
  sleeper(name: string): boolean {
    return !!this.catalog.sleeper(name);
  }

  /** Parse and extract one file; `file` is its path relative to the tree root. */
  extract(file: string, raw: string): FileRecord {
    const text = normaliseLineBreaks(raw);
    const reason = rejectReason(text, this.settings.maxFileSizeKB * 1024);
    if (reason) return skippedRecord(file, reason);
    let tree: Tree | null = null;
    try {
      tree = this.grammar.parser.parse(text);
      if (!tree) return skippedRecord(file, 'the parser returned no tree');
      return this.fromTree(tree, file, text);
    } finally {
      tree?.delete();
    }
  }

  private fromTree(tree: Tree, file: string, text: string): FileRecord {
    const stats = emptyStats();
    const defs = topLevelDefs(tree, this.config);
    stats.functions = defs.length;
    stats.functionsWithParseErrors = defs.filter((d) => d.hasError).length;
    for (const c of this.grammar.queries.calls.captures(tree.rootNode)) if (lockSite(c, this)) stats.lockSitesFound++;
    const ctx = {
      catalog: this.catalog,
      file,
      loopMacros: this.loopMacros,
      config: this.config,
      indirectCalls: true,
      callable: (n: string) => !this.catalog.primitive(n) && !this.catalog.assertMacro(n),
    };
    const types = new TypeTable();
    const macros = new Macros();
    types.addTree(tree.rootNode, file);
    macros.addTree(tree.rootNode);
    const fns: FnRecord[] = [];
    for (const d of defs) {
      if (!functionName(d)) continue;
      const ir = buildCfg(d, ctx);
      delete ir.canon; // rebuilt from ir.aliases where the record is used
      mergeStats(stats, { ...emptyStats(), lockSitesModelled: ir.lockSitesModelled, unmodelled: ir.unmodelled });
      if (ir.incomplete)
        mergeStats(stats, {
          ...emptyStats(),
          incomplete: [{ file, function: ir.name, line: ir.site.line, reason: ir.incomplete }],
        });
      fns.push(TypeTable.needsVariables(ir) ? { ir, vars: types.variables(d) } : { ir });
    }
    const slots: OpsSlot[] = [];
    // ops tables: `static const struct file_operations btrfs_file_operations = { .fsync = btrfs_sync_file, ... };`
    for (const m of this.grammar.queries.initializers.matches(tree.rootNode)) {
      const field = m.captures.find((c) => c.name === 'field')?.node.text;
      const fn = m.captures.find((c) => c.name === 'value')?.node.text;
      const pair = m.captures.find((c) => c.name === 'pair')?.node;
      if (!field || !fn || !pair) continue;
      let decl = pair.parent;
      while (decl && decl.type !== 'init_declarator') decl = decl.parent;
      const table = decl ? (decl.childForFieldName('declarator')?.text ?? '').replace(/[[\]\s*]/g, '') : '';
      const type = decl?.parent?.childForFieldName('type');
      const typeName = type?.type === 'struct_specifier' ? type.childForFieldName('name')?.text : undefined;
      slots.push({
        table: table || `${file}:${pair.startPosition.row + 1}`,
        field,
        fn,
        file,
        ...(typeName ? { type: typeName } : {}),
      });
    }
    // function pointers stored into fields (`ops->fsync = foo_fsync;`, `foo_fops.fsync = foo_fsync;`)
    for (const a of tree.rootNode.descendantsOfType('assignment_expression')) {
      const left = a?.childForFieldName('left');
      const right = a?.childForFieldName('right');
      if (
        !a ||
        left?.type !== 'field_expression' ||
        right?.type !== 'identifier' ||
        a.childForFieldName('operator')?.text !== '='
      )
        continue;
      const field = left.childForFieldName('field')?.text;
      const obj = left.childForFieldName('argument')?.text.replace(/\s+/g, '');
      if (field && obj && !/^[A-Z_][A-Z0-9_]*$/.test(right.text))
        slots.push({ table: `${file}:${obj}`, field, fn: right.text, file });
    }
    const exports = exportsOf(text);
    return {
      file,
      stats,
      fns,
      slots,
      types: types.facts(),
      macros: macros.entries(),
      suppressed: suppressions(text),
      ...(exports.length ? { exports } : {}),
    };
  }
}

/** After a record crossed a thread or came from the cache: the IR's `canon` again. */
export function rehydrate(rec: FileRecord): FileRecord {
  for (const f of rec.fns) Aliases.attach(f.ir);
  return rec;
}
