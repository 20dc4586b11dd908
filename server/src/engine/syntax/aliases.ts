/**
 * Local names for the caller's objects: `struct inode *inode = file_inode(file);` or
 * `dio->iocb = iocb;` make `&inode->i_rwsem` the same lock as `&file_inode(file)->i_rwsem`.
 * Lock names and call arguments are rewritten through such aliases (when the local is never
 * reassigned), so one lock has one name and summaries can name it relative to parameters.
 */
import type { Node } from 'web-tree-sitter';
import type { AliasData, FunctionIR, LockRef } from '../ir';
import { normaliseExpr, rootIdentifier } from '../ir';
import { NAME_PATTERNS } from '../model';

/** Accessors that name a part of their argument without side effects (a catalog pattern). */
const ACCESSOR = NAME_PATTERNS.accessor;

/** Can this initialiser stand for the local everywhere (no side effects, no allocation)? */
export function aliasable(n: Node): boolean {
  switch (n.type) {
    case 'identifier':
    case 'field_identifier':
    case 'number_literal':
      return true;
    case 'parenthesized_expression':
    case 'pointer_expression':
    case 'field_expression':
    case 'subscript_expression':
    case 'argument_list':
    case 'cast_expression':
    case 'type_descriptor':
      return n.namedChildren.every((c) => !c || c.type === 'comment' || c.type === 'type_descriptor' || aliasable(c));
    case 'call_expression': {
      const fn = n.childForFieldName('function');
      const args = n.childForFieldName('arguments');
      if (!fn || fn.type !== 'identifier' || !ACCESSOR.test(fn.text) || !args) return false;
      const first = args.namedChildren.find((c) => c && c.type !== 'comment');
      return !!first && aliasable(first);
    }
    default:
      return false;
  }
}

/**
 * A call that names its argument's object if the function it calls is an accessor (`foo_inode(inode)`): a
 * function named in lower case (an upper-case one is taken for a macro by `aliasable`) over aliasable
 * arguments. Its name, or undefined.
 */
export function accessorCandidate(n: Node): string | undefined {
  if (n.type !== 'call_expression') return undefined;
  const fn = n.childForFieldName('function');
  const args = n.childForFieldName('arguments')?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
  if (!fn || fn.type !== 'identifier' || ACCESSOR.test(fn.text) || !args.length) return undefined;
  return args.every((a) => a && aliasable(a)) ? fn.text : undefined;
}

/**
 * Is this definition an accessor: a body that only returns a part of one of its parameters (a field, its
 * address, a container_of or an accessor macro over it), with no other statement?
 */
export function isAccessorDef(def: Node, params: readonly string[]): boolean {
  const body = def.childForFieldName('body');
  const stmts = body?.namedChildren.filter((c) => c && c.type !== 'comment') ?? [];
  if (stmts.length !== 1 || stmts[0]?.type !== 'return_statement') return false;
  const e = stmts[0].namedChildren.find((c) => c && c.type !== 'comment');
  if (!e || !aliasable(e)) return false;
  const root = rootIdentifier(normaliseExpr(e.text).replace(/^\([^()]*\)/, ''));
  return !!root && params.includes(root);
}

export class Aliases {
  private readonly locals: Map<string, string>;
  private readonly fields: Map<string, string>;
  /** How often each identifier is assigned after its declaration. */
  readonly assignments: Map<string, number>;
  /** Locals initialised by a call that may be an accessor's (AliasData.calls). */
  private readonly calls: Map<string, { fn: string; value: string }>;

  constructor(data?: AliasData) {
    this.locals = data?.locals ?? new Map();
    this.fields = data?.fields ?? new Map();
    this.assignments = data?.assignments ?? new Map();
    this.calls = data?.calls ?? new Map();
  }

  /**
   * The locals initialised by calls of functions `isAccessor` says are accessors become aliases, and the
   * function's lock names and arguments are rewritten through them. Whether it changed anything.
   */
  static promote(ir: FunctionIR, isAccessor: (fn: string) => boolean): boolean {
    const calls = ir.aliases?.calls;
    if (!ir.aliases || !calls?.size) return false;
    const a = new Aliases(ir.aliases);
    let changed = false;
    for (const [name, c] of calls) {
      if (!isAccessor(c.fn)) continue;
      a.locals.set(name, c.value);
      calls.delete(name);
      changed = true;
    }
    if (changed) a.apply(ir);
    return changed;
  }

  /** Give an IR that came without functions (from a worker or the cache) its `canon` again. */
  static attach(ir: FunctionIR): void {
    if (!ir.aliases) return;
    const a = new Aliases(ir.aliases);
    ir.canon = (text) => a.canon(text, ir);
  }

  /** `T *x = init;` */
  local(name: string, init: Node): void {
    if (aliasable(init)) this.locals.set(name, normaliseExpr(init.text));
    else {
      const fn = accessorCandidate(init);
      if (fn) this.calls.set(name, { fn, value: normaliseExpr(init.text) });
    }
  }

  /** `x->f = value;` with x a local: valid only if it happens once. */
  field(path: string, value: Node): void {
    this.fields.set(path, this.fields.has(path) || !aliasable(value) ? '' : normaliseExpr(value.text));
  }

  /** Rewrite an expression (or a lock key) through the aliases that stayed valid. */
  canon(text: string, ir: FunctionIR): string {
    let s = text;
    for (let round = 0; round < 4; round++) {
      const before = s;
      for (const [path, value] of this.fields) {
        if (!value) continue;
        // the object may be assigned once (`dio = kmalloc(..)`) before its fields are filled in
        const root = rootIdentifier(path);
        if (!root || (this.assignments.get(root) ?? 0) > 1) continue;
        // `dio->iocb` anywhere in the text (`file_inode(dio->iocb->ki_filp)`), not inside a longer name
        const esc = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/-\\>/g, '->');
        const re = new RegExp(`(^|[^A-Za-z0-9_>.])${esc}(?=$|->|\\.|\\)|,|\\[)`, 'g');
        const next = s.replace(re, (_m, pre: string) => `${pre}(${value})`);
        if (next !== s) s = normaliseExpr(next);
      }
      const root = rootIdentifier(s);
      const value = root ? this.locals.get(root) : undefined;
      // `&x` is the local itself (a call may write it through that address), not its value
      if (root && value !== undefined && !ir.assigned.has(root) && value !== root && s !== `&${root}`) {
        s = normaliseExpr(s.replace(new RegExp(`(^|[^A-Za-z0-9_>.])${root}(?![A-Za-z0-9_])`), `$1(${value})`));
      }
      if (s === before) break;
    }
    return s;
  }

  /** Rewrite every lock name and call argument of the function. */
  apply(ir: FunctionIR): void {
    if (!this.locals.size && !this.fields.size && !this.calls.size) return;
    ir.aliases = {
      locals: this.locals,
      fields: this.fields,
      assignments: this.assignments,
      ...(this.calls.size ? { calls: this.calls } : {}),
    };
    if (!this.locals.size && !this.fields.size) return;
    ir.canon = (text) => this.canon(text, ir);
    const ref = (r: LockRef): LockRef => {
      const key = r.key.startsWith('*') ? `*${this.canon(r.key.slice(1), ir)}` : this.canon(r.key, ir);
      if (key === r.key) return r;
      const base = r.base
        ? r.base.startsWith('*')
          ? `*${this.canon(r.base.slice(1), ir)}`
          : this.canon(r.base, ir)
        : undefined;
      return { ...r, key: base && r.base ? key.replace(r.base, base) : key, ...(base ? { base } : {}) };
    };
    const key = (k: string): string => (k.startsWith('*') ? `*${this.canon(k.slice(1), ir)}` : this.canon(k, ir));
    // an escaping root now names the object through its alias's root too
    const roots = (rs: string[] | undefined): string[] | undefined =>
      rs?.flatMap((r) => {
        const c = rootIdentifier(this.canon(r, ir));
        return c && c !== r ? [r, c] : [r];
      });
    for (const n of ir.nodes) {
      for (let i = 0; i < n.ops.length; i++) {
        const op = n.ops[i];
        if (
          op.k === 'acquire' ||
          op.k === 'release' ||
          op.k === 'downgrade' ||
          op.k === 'assert' ||
          op.k === 'forbid' ||
          op.k === 'handoff'
        )
          n.ops[i] = { ...op, lock: ref(op.lock) };
        else if (op.k === 'call' || op.k === 'icall') {
          n.ops[i] = {
            ...op,
            args: op.args.map((a) => this.canon(normaliseExpr(a), ir)),
            escapeKeys: op.escapeKeys?.map(key),
            escapeRoots: roots(op.escapeRoots),
          };
        } else if (op.k === 'escape') n.ops[i] = { ...op, keys: op.keys.map(key), roots: roots(op.roots) };
      }
      for (const e of n.succ)
        if (e.guard?.acquire) e.guard.acquire = { ...e.guard.acquire, lock: ref(e.guard.acquire.lock) };
    }
  }
}
