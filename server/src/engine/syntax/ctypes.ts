/**
 * A light C type resolver, enough to name locks like lockdep's classes: struct and union field types
 * (from headers too), typedefs, the declared types of parameters and locals, return types of functions
 * and static inlines (`BTRFS_I()`, `file_inode()`), container_of() and its kin (`list_entry`,
 * `hlist_entry`), and function-like macros whose expansion is typed (`#define HFS_I(inode)
 * container_of(inode, struct hfs_inode_info, vfs_inode)`). A lock reached as `fs_info->reloc_mutex`
 * gets the class `struct btrfs_fs_info::reloc_mutex`.
 */
import type { Node } from 'web-tree-sitter';
import { type FunctionIR, type LockRef, type Op, splitTopLevel } from '../ir';
import { balanced } from './macros';
import { type ClassEnv, type StoredOrigins, bindFs, fsOfDir, orderClassOf } from './lockclass';

/**
 * The struct a type names, if any; a typedef name is kept as `@name` and resolved when asked
 * (the header that defines it may be read later).
 */
function structOf(type: Node | null): string | undefined {
  if (!type) return undefined;
  if (type.type === 'struct_specifier' || type.type === 'union_specifier') return type.childForFieldName('name')?.text;
  if (type.type === 'type_identifier') return `@${type.text}`;
  return undefined;
}

/** The identifier a declarator declares (through pointers, arrays, functions, parentheses). */
function declared(d: Node | null): string | undefined {
  let cur: Node | null = d;
  while (cur && cur.type !== 'identifier' && cur.type !== 'field_identifier' && cur.type !== 'type_identifier') {
    cur =
      cur.childForFieldName('declarator') ??
      cur.namedChildren.find((c) => c?.type === 'identifier' || c?.type === 'field_identifier') ??
      null;
  }
  return cur?.text;
}

/** What one file contributes to the type table (plain data: it crosses threads and goes to the cache). */
export interface TypeFacts {
  fields: Map<string, Map<string, string | null>>;
  typedefs: Map<string, string>;
  returns: Map<string, string>;
  /** struct name -> the directory of the file that defines it (`fs/btrfs`, `include/linux`) */
  dirs: Map<string, string>;
  /** Function-like macros that may name a struct (see `accessorMacro`); null: defined differently in places. */
  macros?: Map<string, AccessorMacro | null>;
}

/** A function-like macro kept for typing its expansions. */
export interface AccessorMacro {
  params: string[];
  body: string;
}

/** `container_of(ptr, struct T, member)` and the list/tree macros built on it: the struct T. */
const CONTAINER =
  /^(?:container_of(?:_const)?|list_(?:first_|last_)?entry(?:_rcu|_or_null)?|hlist_entry(?:_safe)?|llist_entry|rb_entry(?:_safe)?)\((.*),\s*(?:const\s+)?struct\s+([A-Za-z_]\w*)\s*,[^,]*\)$/;

/** `(struct T *)expr` (a cast binds looser than `->`): the struct T. */
const CAST = /^\(\s*struct\s+([A-Za-z_]\w*)\s*\*\s*\)/;

/**
 * A `#define NAME(params) body` worth keeping to type `NAME(args)`: a body that reaches a struct (a
 * container_of-like macro, a field, a cast to a struct pointer), short, one balanced expression. Undefined
 * otherwise.
 */
function accessorMacro(def: Node): [string, AccessorMacro] | undefined {
  const name = def.childForFieldName('name')?.text;
  const params = def.childForFieldName('parameters')?.text;
  const body = def
    .childForFieldName('value')
    ?.text.replace(/\\\r?\n/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!name || !params || !body || body.length > 240 || !balanced(body) || body.includes(';')) return undefined;
  if (!/container_of|_entry(?:_\w+)?\s*\(|->|\(\s*struct\s+\w+\s*\*\s*\)/.test(body)) return undefined;
  const list = params
    .replace(/^\(|\)$/g, '')
    .split(',')
    .map((p) => p.trim());
  if (!list.every((p) => /^[A-Za-z_]\w*$/.test(p))) return undefined;
  return [name, { params: list, body }];
}

/** The top-level nodes of a file, through preprocessor conditionals and error nodes, in document order. */
export function topLevel(root: Node): Node[] {
  const out: Node[] = [];
  const visit = (n: Node): void => {
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type.startsWith('preproc_if') || c.type.startsWith('preproc_el') || c.type === 'ERROR') visit(c);
      else out.push(c);
    }
  };
  visit(root);
  return out;
}

export class TypeTable {
  /** struct name -> field -> struct the field's type names (when it names one) */
  readonly fields = new Map<string, Map<string, string | null>>();
  readonly typedefs = new Map<string, string>();
  /** function -> struct its return type names */
  readonly returns = new Map<string, string>();
  /** struct name -> directory of the file defining it */
  readonly dirs = new Map<string, string>();
  /** function-like macros that may name a struct, by name (null: defined differently in places) */
  readonly macros = new Map<string, AccessorMacro | null>();

  /**
   * Read struct definitions, typedefs and function return types from a file's syntax tree: from its
   * top-level declarations (also inside #if blocks and error nodes), never from function bodies, which
   * hold most of a file's nodes and almost never a type definition.
   */
  addTree(root: Node, file?: string): void {
    const dir = file === undefined ? undefined : file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
    const typedefs: Node[] = [];
    const structs: Node[] = [];
    const decls: Node[] = [];
    for (const n of topLevel(root)) {
      if (n.type === 'function_definition') {
        decls.push(n);
        continue;
      }
      if (n.type === 'preproc_function_def') {
        const m = accessorMacro(n);
        if (m) this.addMacro(m[0], m[1]);
        continue;
      }
      if (n.type === 'type_definition') typedefs.push(n);
      else if (n.type === 'declaration') decls.push(n);
      if (n.text.includes('{'))
        for (const st of n.descendantsOfType(['struct_specifier', 'union_specifier'])) if (st) structs.push(st);
    }
    for (const t of typedefs) {
      const s = structOf(t.childForFieldName('type'));
      for (const d of t.childrenForFieldName('declarator')) {
        const name = declared(d);
        if (s && name && d?.type === 'type_identifier' && s !== `@${name}`) this.typedefs.set(name, s);
      }
    }
    for (const st of structs) {
      const name = st?.childForFieldName('name')?.text;
      const body = st?.childForFieldName('body');
      if (!st || !name || !body || this.fields.has(name)) continue;
      const m = new Map<string, string | null>();
      for (const f of body.namedChildren) {
        if (!f || f.type !== 'field_declaration') continue;
        const s = structOf(f.childForFieldName('type')) ?? null;
        for (const d of f.childrenForFieldName('declarator')) {
          const field = declared(d);
          if (field) m.set(field, s);
        }
      }
      this.fields.set(name, m);
      if (dir !== undefined) this.dirs.set(name, dir);
    }
    for (const fn of decls) {
      const s = structOf(fn.childForFieldName('type'));
      if (!s) continue;
      let d: Node | null = fn.childForFieldName('declarator');
      if (d?.type !== 'pointer_declarator') continue;
      while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
      const name = d?.childForFieldName('declarator')?.text;
      if (name && /^[A-Za-z_]\w*$/.test(name) && !this.returns.has(name)) this.returns.set(name, s);
    }
  }

  /** A macro definition; one name defined with two different bodies types nothing (which one applies is unknown). */
  private addMacro(name: string, m: AccessorMacro | null): void {
    if (!this.macros.has(name)) this.macros.set(name, m);
    else {
      const old = this.macros.get(name);
      if (!m || !old || old.body !== m.body || old.params.join() !== m.params.join()) this.macros.set(name, null);
    }
  }

  /** This table's facts, for merging into another in file order. */
  facts(): TypeFacts {
    return {
      fields: this.fields,
      typedefs: this.typedefs,
      returns: this.returns,
      dirs: this.dirs,
      macros: this.macros,
    };
  }

  /**
   * Add a file's facts with the same precedence as reading its tree here (first struct and return type win,
   * last typedef).
   */
  merge(f: TypeFacts): void {
    for (const [k, v] of f.fields) if (!this.fields.has(k)) this.fields.set(k, v);
    for (const [k, v] of f.typedefs) this.typedefs.set(k, v);
    for (const [k, v] of f.returns) if (!this.returns.has(k)) this.returns.set(k, v);
    // (records of older builds have none)
    for (const [k, v] of f.dirs ?? []) if (!this.dirs.has(k)) this.dirs.set(k, v);
    for (const [k, v] of f.macros ?? []) this.addMacro(k, v);
  }

  /** The struct types of a function's parameters and locals, by name. */
  variables(def: Node): Map<string, string> {
    const out = new Map<string, string>();
    const add = (type: Node | null, d: Node | null) => {
      const s = structOf(type);
      const name = declared(d);
      if (s && name && !out.has(name)) out.set(name, s);
    };
    for (const p of def.descendantsOfType('parameter_declaration'))
      if (p) add(p.childForFieldName('type'), p.childForFieldName('declarator'));
    const body = def.childForFieldName('body');
    for (const decl of body?.descendantsOfType('declaration') ?? []) {
      if (!decl) continue;
      for (const d of decl.childrenForFieldName('declarator')) add(decl.childForFieldName('type'), d);
    }
    return out;
  }

  /**
   * The class of a lock named by `key` (`fs_info->reloc_mutex`, `BTRFS_I(inode)->io_tree`,
   * `container_of(work,struct foo,work)->lock`): the struct holding the last field, and the field.
   */
  classOf(key: string, vars: ReadonlyMap<string, string>): string | undefined {
    const m = /^(.*?)(?:->|\.)([A-Za-z_]\w*)$/.exec(key.replace(/\[[^\]]*\]/g, ''));
    if (!m) return undefined;
    const owner = this.typeOf(m[1], vars);
    return owner && this.fields.get(owner)?.has(m[2]) ? `struct ${owner}::${m[2]}` : undefined;
  }

  /** A struct name, through typedefs (`@xfs_inode_t` -> `xfs_inode`). */
  private resolve(t: string | null | undefined): string | undefined {
    let cur = t ?? undefined;
    for (let i = 0; cur?.startsWith('@') && i < 4; i++) cur = this.typedefs.get(cur.slice(1));
    return cur && !cur.startsWith('@') ? cur : undefined;
  }

  /** The struct an expression points to or is, as far as the declared types say. */
  typeOf(expr: string, vars: ReadonlyMap<string, string>, depth = 0): string | undefined {
    if (depth > 8) return undefined;
    const e = expr
      .trim()
      .replace(/^\((.*)\)$/, '$1')
      .replace(/^&/, '');
    if (/^[A-Za-z_]\w*$/.test(e)) return this.resolve(vars.get(e));
    const cast = CAST.exec(e);
    if (cast) return cast[1];
    const co = CONTAINER.exec(e);
    if (co) return co[2];
    const call = /^([A-Za-z_]\w*)\((.*)\)$/.exec(e);
    if (call && balanced(call[2])) {
      const r = this.returns.get(call[1]);
      if (r) return this.resolve(r);
      const m = this.macros.get(call[1]);
      return m ? this.typeOf(expandMacro(m, splitTopLevel(call[2])), vars, depth + 1) : undefined;
    }
    const f = /^(.*?)(->|\.)([A-Za-z_]\w*)$/.exec(e);
    if (f && balanced(f[1])) {
      const base = this.typeOf(f[1], vars, depth + 1);
      return base ? this.resolve(this.fields.get(base)?.get(f[3])) : undefined;
    }
    return undefined;
  }

  /**
   * Does classifying this IR need the declared types of its variables (a lock without a class, an untyped ops
   * call)?
   */
  static needsVariables(ir: FunctionIR): boolean {
    for (const n of ir.nodes) {
      for (const op of n.ops) {
        // (an acquisition's lock-order class reads the types too: where a page or an inode comes from)
        if (op.k === 'acquire' || (CLASSIFIED.has(op.k) && !(op as { lock: LockRef }).lock.class)) return true;
        if (op.k === 'icall' && op.recv && !op.recvType) return true;
        if (op.k === 'assign' && PLACE.test(op.name)) return true;
      }
      for (const e of n.succ) if (e.guard?.acquire) return true;
    }
    return false;
  }

  /**
   * Give every lock of a function without a class the one its declared types name, and every acquisition its
   * lock-order class (lockclass.ts), bound to the filesystem of `dir` when it is one.
   */
  classify(
    ir: FunctionIR,
    vars: ReadonlyMap<string, string>,
    dir?: string,
    stored?: StoredOrigins,
    expand?: ClassEnv['expand'],
  ): void {
    const fix = (r: LockRef): LockRef => {
      if (r.class || r.symbolic || r.key.startsWith('*')) return r;
      const c = this.classOf(r.base ?? r.key, vars);
      return c ? { ...r, class: c } : r;
    };
    const fs = dir === undefined ? undefined : fsOfDir(dir);
    const env = { ir, vars, types: this, stored, expand };
    const ordered = (r: LockRef): LockRef => {
      const o = orderClassOf(r, env);
      return o ? { ...r, order: bindFs(o, fs) } : r;
    };
    for (const n of ir.nodes) {
      for (let i = 0; i < n.ops.length; i++) {
        const op = n.ops[i];
        if (op.k === 'acquire') n.ops[i] = { ...op, lock: ordered(fix(op.lock)) };
        else if (CLASSIFIED.has(op.k)) n.ops[i] = { ...op, lock: fix((op as { lock: LockRef }).lock) } as typeof op;
        else if (op.k === 'assign' && PLACE.test(op.name)) {
          // a positional initialiser's member (`cpc.#0`): the struct's declared field at that place
          const [, v, at] = PLACE.exec(op.name) ?? [];
          const t = this.resolve(vars.get(v));
          const field = t ? [...(this.fields.get(t)?.keys() ?? [])][Number(at)] : undefined;
          if (field) n.ops[i] = { ...op, name: `${v}.${field}` };
        } else if (op.k === 'icall' && op.recv && !op.recvType) {
          // the ops struct the field is called through (`file->f_op` is a struct file_operations)
          const t = this.typeOf(op.recv, vars);
          if (t) n.ops[i] = { ...op, recvType: t };
        }
      }
      for (const e of n.succ)
        if (e.guard?.acquire) e.guard.acquire = { ...e.guard.acquire, lock: ordered(fix(e.guard.acquire.lock)) };
    }
  }
}

/** A macro's body with its parameters replaced by the call's arguments (parenthesised), as the preprocessor would. */
function expandMacro(m: AccessorMacro, args: string[]): string {
  if (args.length !== m.params.length) return '';
  const bind = new Map(m.params.map((p, i) => [p, args[i]]));
  return m.body.replace(/[A-Za-z_]\w*/g, (id) => {
    const a = bind.get(id);
    return a === undefined ? id : `(${a})`;
  });
}

/** A member of a struct initialised by position, named by its place until its type names it (cfg/build.ts). */
const PLACE = /^([A-Za-z_]\w*)\.#(\d+)$/;

/** The operations whose lock `classify` names. */
const CLASSIFIED = new Set<Op['k']>(['acquire', 'release', 'assert', 'downgrade', 'handoff']);
