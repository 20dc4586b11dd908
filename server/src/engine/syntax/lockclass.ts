/**
 * Lock-order classes, as lockdep keys them and finer where lockdep is blind, from types and from where an
 * object comes from (never from the names of a filesystem's functions):
 *
 * - inode locks (`i_rwsem`, `invalidate_lock`, `i_mmap_rwsem`) and `s_umount` are keyed per filesystem type,
 *   as lockdep's `s_type` keys do: the class carries `{fs}` until the filesystem is known (bound where the
 *   lock is taken in, or reached from, a filesystem's own code: see `bindFs`); an inode that a
 *   superblock-wide structure points to (a btree or metadata inode, a block device's inode) is that field's;
 * - page and folio locks (one lock: a folio's is its head page's) by the mapping the page came from: a file's
 *   data pages, the pages of an inode a superblock-wide structure points to (metadata), pages a filesystem's
 *   own structure holds (`struct extent_buffer::pages`), or private pages from the page allocator;
 * - extent range locks by their tree (`struct btrfs_inode::io_tree`), and by whose tree it is when that is a
 *   metadata inode's;
 * - a lock's lockdep subclass (`inode_lock_nested(.., I_MUTEX_PARENT)`) is part of its class (lockorder.ts).
 */
import { type FunctionIR, type LockRef, splitTopLevel } from '../ir';
import { balanced } from './macros';
import type { TypeTable } from './ctypes';

/** Where a per-filesystem-type class names its filesystem, until bound. */
export const FS = '{fs}';

/** Classes whose lockdep key is per filesystem type (struct file_system_type's keys). */
const PER_FS_TYPE =
  /^struct (inode::i_rwsem|address_space::invalidate_lock|address_space::i_mmap_rwsem|xfs_inode::i_lock|super_block::s_umount|super_block::sb_(?:writers|pagefaults|internal))$/;

/** Page-cache lookups: the first argument is the mapping the page comes from. */
const LOOKUPS = new Set([
  'find_get_page',
  'find_lock_page',
  'find_or_create_page',
  'find_get_page_flags',
  'pagecache_get_page',
  'grab_cache_page',
  'grab_cache_page_nowait',
  'grab_cache_page_write_begin',
  'read_mapping_page',
  'read_cache_page',
  'read_cache_page_gfp',
  '__filemap_get_folio',
  'filemap_get_folio',
  'filemap_lock_folio',
  'filemap_grab_folio',
  'read_mapping_folio',
  'read_cache_folio',
  '__page_cache_alloc',
  'filemap_alloc_folio',
]);

/** Lookups that fill a batch (`struct pagevec`, `struct folio_batch`) with pages of a mapping: its argument. */
const BATCH_LOOKUPS: ReadonlyMap<string, { mapping: number; batch: number }> = new Map([
  ['pagevec_lookup', { mapping: 1, batch: 0 }],
  ['pagevec_lookup_range', { mapping: 1, batch: 0 }],
  ['pagevec_lookup_tag', { mapping: 1, batch: 0 }],
  ['pagevec_lookup_range_tag', { mapping: 1, batch: 0 }],
  ['filemap_get_folios', { mapping: 0, batch: 3 }],
  ['filemap_get_folios_contig', { mapping: 0, batch: 3 }],
  ['filemap_get_folios_tag', { mapping: 0, batch: 4 }],
]);

/** The page allocator: a page nobody else can find (until it is added to a mapping). */
const ALLOCATORS = new Set(['alloc_page', 'alloc_pages', 'alloc_pages_node', '__alloc_pages', 'folio_alloc']);

/** Converters between a page and its folio (the same lock). */
const SAME_PAGE = new Set(['page_folio', 'folio_page', 'compound_head', 'page_folio_or_null']);

/** Where an object comes from. */
export type Origin =
  | { k: 'file' }
  | { k: 'private' }
  /** held in a field of a filesystem's own structure (`struct extent_buffer::pages`) */
  | { k: 'held'; field: string }
  /** of an inode (or mapping) a superblock-wide structure points to (`struct btrfs_fs_info::btree_inode`) */
  | { k: 'sbwide'; field: string };

const FILE: Origin = { k: 'file' };

export interface ClassEnv {
  ir: FunctionIR;
  vars: ReadonlyMap<string, string>;
  types: TypeTable;
  /** Where the objects stored into a field (`struct extent_buffer::pages`) come from, over the whole tree. */
  stored?: StoredOrigins;
  /**
   * What a call of a function the tree defines as a field accessor names (`NODE_MAPPING(sbi)`, whose body only
   * returns `{0}->node_inode->i_mapping`), with its arguments put in.
   */
  expand?: (call: string, args: readonly string[]) => string | undefined;
}

/**
 * Functions whose body only returns a field chain over a parameter (`return sbi->node_inode->i_mapping;`): their
 * predicate template (cfg/predicates.ts) is that chain over `{i}`. Name -> chain; a name defined twice with two
 * bodies names nothing.
 */
export function fieldAccessors(fns: Iterable<FunctionIR>): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const ir of fns) {
    const t = ir.predicate;
    if (!t || !/^\{\d+\}(?:(?:->|\.)[A-Za-z_]\w*)+$/.test(t)) continue;
    const before = out.get(ir.name);
    out.set(ir.name, before === undefined || before === t ? t : null);
  }
  return out;
}

/** An accessor's chain with a call's arguments put in (names, field chains, a call over them). */
export function expandAccessor(template: string | null | undefined, args: readonly string[]): string | undefined {
  if (!template) return undefined;
  const i = Number(/^\{(\d+)\}/.exec(template)?.[1]);
  const a = args[i]?.trim();
  // a name, a field chain, or one call over them (`FOO_SB(inode->i_sb)`): what a field can follow
  if (!a || !/^[A-Za-z_]\w*(\([\w>.\-&]*\))?((?:->|\.)[A-Za-z_]\w*)*$/.test(a)) return undefined;
  return a + template.slice(`{${i}}`.length);
}

/** A field's stored objects' origin (`struct extent_buffer::pages` -> the btree inode's mapping); null: several. */
export type StoredOrigins = Map<string, Origin | null>;

/**
 * Where the pages stored into each field of a filesystem's structure come from, from every store in `fns`
 * (`eb->pages[i] = p` with `p` found in the btree inode's mapping): a page read from that field later is one of
 * them. Fields given pages of several origins (or of a file's) keep their own class.
 */
export function storedOrigins(fns: Iterable<Omit<ClassEnv, 'stored'>>): StoredOrigins {
  const out: StoredOrigins = new Map();
  for (const env of fns) {
    for (const [lhs, value] of env.ir.stores ?? []) {
      const fo = fieldOf(lhs);
      const owner = fo ? env.types.typeOf(fo[0], env.vars) : undefined;
      if (!fo || !owner || !fsOwn(owner, env) || env.vars.get(value) === undefined) continue;
      const t = env.types.typeOf(value, env.vars);
      if (t !== 'page' && t !== 'folio') continue;
      const o = pageOrigin(value, env, 0);
      const key = `struct ${owner}::${fo[1]}`;
      const before = out.get(key);
      if (o.k === 'file' || o.k === 'held') out.set(key, null);
      else if (before === undefined) out.set(key, o);
      else if (before && JSON.stringify(before) !== JSON.stringify(o)) out.set(key, null);
    }
  }
  return out;
}

/** The finer lock-order class of a lock taken in `env`'s function, if there is one (else its `class` is it). */
export function orderClassOf(ref: LockRef, env: ClassEnv): string | undefined {
  if (ref.symbolic) return undefined;
  if (ref.kind === 'page' || ref.kind === 'folio') {
    const m = /^PG_locked\((.*)\)$/.exec(ref.key);
    const o = m ? pageOrigin(m[1], env, 0) : FILE;
    return `struct page::PG_locked (${describe(o, 'file data')})`;
  }
  if (ref.kind === 'range' && ref.base) return rangeClass(ref.base, env);
  if (ref.class && PER_FS_TYPE.test(ref.class)) {
    const o = ownerOrigin(ref.key, env);
    return `${ref.class} (${o.k === 'sbwide' ? `of ${o.field}` : FS})`;
  }
  if (ref.class) {
    const o = containerOrigin(ref.key, env);
    if (o.k === 'sbwide') return `${ref.class} (of ${o.field})`;
  }
  return undefined;
}

/**
 * The inode a filesystem's per-inode lock belongs to (`GFS2_I(sdp->sd_qc_inode)->i_rw_mutex`): one a
 * superblock-wide structure points to is an internal inode (a quota, bitmap or metadata file), never a file
 * the VFS hands in, so its locks are a class of their own, as `struct inode::i_rwsem (of ...)` is.
 */
function containerOrigin(key: string, env: ClassEnv): Origin {
  const fo = fieldOf(strip(key));
  const call = fo ? callOf(strip(fo[0])) : undefined;
  return call?.[1].length === 1 ? inodeLike(call[1][0], env) : FILE;
}

/**
 * The lock-order class of a lock that came without one (a lock named by flags at a call, a catalog class as it
 * is): per filesystem type where lockdep keys it so, a folio's lock as its page's.
 */
export function defaultOrderClass(ref: LockRef): string | undefined {
  if (ref.kind === 'page' || ref.kind === 'folio') return `struct page::PG_locked (file data, ${FS})`;
  if (ref.class && PER_FS_TYPE.test(ref.class)) return `${ref.class} (${FS})`;
  return undefined;
}

function describe(o: Origin, file: string): string {
  switch (o.k) {
    case 'file':
      return `${file}, ${FS}`;
    case 'private':
      return 'private';
    case 'held':
      return `in ${o.field}`;
    case 'sbwide':
      return `mapping of ${o.field}`;
  }
}

/** Bind a class's filesystem (`fs/btrfs`); classes without one are returned as they are. */
export function bindFs(cls: string, fs: string | undefined): string {
  return fs && cls.includes(FS) ? cls.split(FS).join(fs) : cls;
}

/** The filesystem a directory belongs to (`fs/btrfs` for fs/btrfs/tests), or undefined (VFS, mm, block). */
export function fsOfDir(dir: string): string | undefined {
  return /^fs\/[^/]+/.exec(dir)?.[0];
}

/** `&(x)`, `(struct page *)x` and `(x)` to `x`. */
function strip(e: string): string {
  let s = e.trim();
  for (let i = 0; i < 8; i++) {
    const before = s;
    s = s.replace(/^&/, '').replace(/^\((?:struct\s+)?[A-Za-z_]\w*\s*\*\)\s*/, '');
    if (s.startsWith('(') && s.endsWith(')') && balanced(s.slice(1, -1))) s = s.slice(1, -1);
    if (s === before) break;
  }
  return s;
}

/** `f(a, b)` as [f, [a, b]] (top-level commas only). */
function callOf(e: string): [string, string[]] | undefined {
  const m = /^([A-Za-z_]\w*)\((.*)\)$/.exec(e);
  if (!m || !balanced(m[2])) return undefined;
  const args = splitTopLevel(m[2]);
  // (no argument after the last comma: `f()` has none)
  if (args[args.length - 1] === '') args.pop();
  return [m[1], args];
}

/** `B->f`, `B.f`, `B->f[i]` as [B, f] (the last field, subscripts dropped). */
function fieldOf(e: string): [string, string] | undefined {
  const m = /^(.*?)(?:->|\.)([A-Za-z_]\w*)((?:\[[^\]]*\])*)$/.exec(e);
  if (!m || !m[1] || !balanced(m[1])) return undefined;
  return [m[1], m[2]];
}

/**
 * The values a local is assigned in the body (calls only, and calls a returned lock came from), named through
 * the function's aliases (`mapping` for `fs_info->btree_inode->i_mapping`).
 */
function assignedCalls(name: string, env: ClassEnv): string[] {
  const out: string[] = [];
  const canon = (t: string) => (env.ir.canon ? env.ir.canon(t) : t);
  for (const n of env.ir.nodes) {
    for (const op of n.ops) {
      if (op.k === 'assign' && op.name === name && op.rhs) out.push(canon(op.rhs));
      else if (op.k === 'acquire' && op.from && op.onResult?.text === name) out.push(canon(op.from));
    }
  }
  return out;
}

/** One origin for all the values (different ones, or none: a file's). */
function agree(origins: Origin[]): Origin {
  if (!origins.length) return FILE;
  const first = JSON.stringify(origins[0]);
  return origins.every((o) => JSON.stringify(o) === first) ? origins[0] : FILE;
}

/** A filesystem's own structure (defined under fs/). */
function fsOwn(struct: string, env: ClassEnv): boolean {
  return (env.types.dirs.get(struct) ?? '').startsWith('fs/');
}

/** VFS objects of one file: the inode one of them points to is that file's (`dentry->d_inode`, `mapping->host`). */
const PER_FILE = new Set(['super_block', 'inode', 'dentry', 'file', 'address_space', 'kiocb', 'page', 'folio']);

/**
 * A structure one per superblock: it points to the superblock (`struct btrfs_fs_info`, `struct block_device`)
 * or is one of its fields' (`struct quota_info`), and is none of the VFS's per-file objects (a dentry points to
 * its superblock too).
 */
function superblockWide(struct: string, env: ClassEnv): boolean {
  if (PER_FILE.has(struct)) return false;
  const fields = env.types.fields.get(struct);
  if (!fields) return false;
  for (const t of fields.values()) if (t === 'super_block') return true;
  // or a part of the superblock itself (`struct quota_info`, the quota files of `sb_dqopt(sb)`)
  for (const t of env.types.fields.get('super_block')?.values() ?? []) if (t === struct) return true;
  return false;
}

function pageOrigin(expr: string, env: ClassEnv, depth: number): Origin {
  if (depth > 6) return FILE;
  const e = strip(expr);
  const call = callOf(e);
  if (call) {
    const [fn, args] = call;
    if (SAME_PAGE.has(fn) && args[0]) return pageOrigin(args[0], env, depth + 1);
    if (LOOKUPS.has(fn) && args[0]) return mappingOrigin(args[0], env, depth + 1);
    if (ALLOCATORS.has(fn)) return { k: 'private' };
    return FILE;
  }
  if (/^[A-Za-z_]\w*$/.test(e)) {
    // a local that stands for an element of a batch (`struct page *page = pvec.pages[i];`)
    const alias = env.ir.canon?.(e);
    if (alias && alias !== e && !/^[A-Za-z_]\w*$/.test(alias)) return pageOrigin(alias, env, depth + 1);
    return agree(assignedCalls(e, env).map((v) => pageOrigin(v, env, depth + 1)));
  }
  const fo = fieldOf(e);
  if (fo) {
    const [base, field] = fo;
    const owner = env.types.typeOf(base, env.vars);
    if (owner === 'folio' && field === 'page') return pageOrigin(base, env, depth + 1);
    if ((owner === 'pagevec' && field === 'pages') || (owner === 'folio_batch' && field === 'folios'))
      return batchOrigin(base, env, depth + 1);
    if (owner && owner !== 'page' && owner !== 'folio' && fsOwn(owner, env)) {
      const key = `struct ${owner}::${field}`;
      return env.stored?.get(key) ?? { k: 'held', field: key };
    }
  }
  return FILE;
}

function mappingOrigin(expr: string, env: ClassEnv, depth: number): Origin {
  if (depth > 6) return FILE;
  const e = strip(expr);
  if (/^[A-Za-z_]\w*$/.test(e)) return agree(assignedCalls(e, env).map((v) => mappingOrigin(v, env, depth + 1)));
  const call = callOf(e);
  const expanded = call && env.expand?.(call[0], call[1]);
  if (expanded) return mappingOrigin(expanded, env, depth + 1);
  const fo = fieldOf(e);
  if (!fo) return FILE;
  const [base, field] = fo;
  if (field === 'i_mapping' || field === 'i_data') return inodeOrigin(base, env, depth + 1);
  const owner = env.types.typeOf(base, env.vars);
  if (field === 'mapping' && (owner === 'page' || owner === 'folio')) return pageOrigin(base, env, depth + 1);
  if (owner && env.types.fields.get(owner)?.get(field) === 'address_space') {
    if (superblockWide(owner, env)) return { k: 'sbwide', field: `struct ${owner}::${field}` };
    // a mapping a filesystem's own structure holds (a shadow copy's, a cache's): never a file's
    if (fsOwn(owner, env) && expr.trim().startsWith('&')) return { k: 'held', field: `struct ${owner}::${field}` };
  }
  return FILE;
}

/** The pages a batch (`pvec.pages[i]`) holds: those of the mapping the lookups that fill it are given. */
function batchOrigin(batch: string, env: ClassEnv, depth: number): Origin {
  const name = strip(batch).replace(/\[[^\]]*\]$/, '');
  const origins: Origin[] = [];
  for (const n of env.ir.nodes) {
    for (const op of n.ops) {
      // the lookup as a call, or as the value of an assignment (`nr = pagevec_lookup_tag(&pvec, ..)`)
      const call: [string, readonly string[]] | undefined =
        op.k === 'call' ? [op.callee, op.args] : op.k === 'assign' && op.rhs ? callOf(op.rhs) : undefined;
      const at = call && BATCH_LOOKUPS.get(call[0]);
      if (!call || !at || strip(call[1][at.batch] ?? '') !== name) continue;
      const mapping = call[1][at.mapping];
      if (mapping) origins.push(mappingOrigin(mapping, env, depth + 1));
    }
  }
  return agree(origins);
}

function inodeOrigin(expr: string, env: ClassEnv, depth: number): Origin {
  if (depth > 6) return FILE;
  const e = strip(expr);
  const fo = fieldOf(e);
  if (!fo) return FILE;
  const [base, field] = fo;
  const owner = env.types.typeOf(base, env.vars);
  if (owner === 'address_space' && field === 'host') return mappingOrigin(base, env, depth + 1);
  if (owner && env.types.fields.get(owner)?.get(field) === 'inode' && superblockWide(owner, env))
    return { k: 'sbwide', field: `struct ${owner}::${field}` };
  return FILE;
}

/** The object an inode/superblock lock is a field of (`X` of `X->i_rwsem`, of `X->i_mapping->invalidate_lock`). */
function ownerOrigin(key: string, env: ClassEnv): Origin {
  const fo = fieldOf(strip(key));
  if (!fo) return FILE;
  const [base] = fo;
  const inner = fieldOf(strip(base));
  // `inode->i_mapping->invalidate_lock`: the inode's
  if (inner && (inner[1] === 'i_mapping' || inner[1] === 'i_data')) return inodeOrigin(inner[0], env, 1);
  const t = env.types.typeOf(base, env.vars);
  if (t === 'address_space') return mappingOrigin(base, env, 1);
  return inodeOrigin(base, env, 1);
}

/** A range lock's class: its tree's field (`struct btrfs_inode::io_tree`), and a metadata inode's if it is one. */
function rangeClass(base: string, env: ClassEnv): string {
  const tree = strip(base);
  const fo = fieldOf(tree);
  const owner = fo ? env.types.typeOf(fo[0], env.vars) : undefined;
  if (!fo || !owner) return 'struct extent_io_tree range';
  // BTRFS_I(inode)->io_tree: whose inode
  const call = callOf(strip(fo[0]));
  const o = call?.[1].length === 1 ? inodeLike(call[1][0], env) : FILE;
  const of = o.k === 'sbwide' || o.k === 'held' ? ` of ${o.field}` : '';
  return `struct extent_io_tree range (struct ${owner}::${fo[1]}${of})`;
}

/** An inode expression, or the host of a page's mapping (`eb->pages[0]->mapping->host`). */
function inodeLike(expr: string, env: ClassEnv): Origin {
  const e = strip(expr);
  const fo = fieldOf(e);
  if (fo && fo[1] === 'host') {
    const m = fieldOf(strip(fo[0]));
    if (m && m[1] === 'mapping') {
      const p = pageOrigin(m[0], env, 1);
      if (p.k !== 'file') return p;
    }
  }
  return inodeOrigin(e, env, 1);
}
