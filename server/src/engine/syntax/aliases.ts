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

export class Aliases {
  private readonly locals: Map<string, string>;
  private readonly fields: Map<string, string>;
  /** How often each identifier is assigned after its declaration. */
  readonly assignments: Map<string, number>;

  constructor(data?: AliasData) {
    this.locals = data?.locals ?? new Map();
    this.fields = data?.fields ?? new Map();
    this.assignments = data?.assignments ?? new Map();
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
      if (root && value !== undefined && !ir.assigned.has(root) && value !== root) {
        s = normaliseExpr(s.replace(new RegExp(`(^|[^A-Za-z0-9_>.])${root}(?![A-Za-z0-9_])`), `$1(${value})`));
      }
      if (s === before) break;
    }
    return s;
  }

  /** Rewrite every lock name and call argument of the function. */
  apply(ir: FunctionIR): void {
    if (!this.locals.size && !this.fields.size) return;
    ir.aliases = { locals: this.locals, fields: this.fields, assignments: this.assignments };
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
