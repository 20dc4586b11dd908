/**
 * The on-disk cache. Two kinds of entries, both under one key that names the engine build, the grammar
 * and the settings (so a new lockscope, grammar or setting never reads an old entry):
 *   records/<key>/<hh>/<content-hash>   one file's FileRecord, by the hash of its path and text;
 *   snapshots/<key>/<tree-hash>         the whole analysis of a tree, by the hashes of all its files.
 * Every entry is framed (magic, length, CRC-32 of the payload) and written atomically (temporary file,
 * then rename). A torn, truncated or corrupt entry fails the check or the deserialisation, is deleted,
 * and the file is extracted again: the cache is never trusted. Old keys are pruned (the newest few stay).
 *
 * The cache owns its folder, and only what it made there: a folder is used only when it is new or empty
 * (lockscope then writes a CACHEDIR.TAG naming itself), already tagged by lockscope, or an untagged cache
 * of an earlier lockscope (nothing but key-shaped entries under records/ and snapshots/). Anything else —
 * a folder of the user's that happens to be named — is left alone and the run goes on without a cache.
 * Pruning removes only entries of the shapes above, file by file; it never recurses into a folder, so a
 * file lockscope did not write is never deleted. Temporary files are removed when a write fails, and
 * swept when an interrupted run left them behind (older than an hour).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as zlib from 'node:zlib';

const MAGIC = 0x4c534331; // "LSC1"
const HEADER = 12;
/** Key directories kept (others are removed when a new one is made). */
const KEEP_KEYS = 3;
/** An interrupted write's temporary file older than this is swept. */
const STALE_TMP_MS = 60 * 60 * 1000;
const TAG = 'CACHEDIR.TAG';
/** https://bford.info/cachedir/: the signature line, then a comment naming the owner. */
const TAG_TEXT =
  'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by lockscope.\n# See https://bford.info/cachedir/\n';
const KEY = /^[0-9a-f]{20}$/;
const HASH = /^[0-9a-f]{40}$/;
const SHARD = /^[0-9a-f]{2}$/;
/** `<entry>.<pid>.<random>.tmp`, as writeAtomic names them. */
const TMP = /^[0-9a-f]{40}\.\d+\.[0-9a-z]+\.tmp$/;

/**
 * Whether lockscope may use `root` as its cache (creating and tagging it when new or empty); undefined
 * when it may, else the reason it may not. Never deletes or moves anything.
 */
export function claimCacheDir(root: string): string | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return `cannot read ${root} (${(e as Error).message})`;
    names = [];
  }
  const tagFile = path.join(root, TAG);
  if (names.includes(TAG)) {
    let text = '';
    try {
      text = fs.readFileSync(tagFile, 'utf8');
    } catch {
      /* unreadable: not ours */
    }
    return text.includes('created by lockscope') ? undefined : `${root} has a ${TAG} that lockscope did not write`;
  }
  if (names.length && !isLegacyCache(root, names)) {
    return (
      `${root} holds files that are not lockscope's (no ${TAG} of lockscope's there); ` +
      'give --cache-dir an empty or new folder'
    );
  }
  try {
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(tagFile, TAG_TEXT, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return `cannot write ${tagFile} (${(e as Error).message})`;
  }
  return undefined;
}

/** An untagged cache of an earlier lockscope: records/ and snapshots/ holding only key-shaped folders. */
function isLegacyCache(root: string, names: string[]): boolean {
  return names.every((n) => {
    if (n !== 'records' && n !== 'snapshots') return false;
    try {
      const dir = path.join(root, n);
      return fs.statSync(dir).isDirectory() && fs.readdirSync(dir).every((k) => KEY.test(k));
    } catch {
      return false;
    }
  });
}

/** The cache folder: --cache-dir, $LOCKSCOPE_CACHE_DIR, $XDG_CACHE_HOME/lockscope or ~/.cache/lockscope. */
export function defaultCacheDir(): string {
  if (process.env.LOCKSCOPE_CACHE_DIR) return process.env.LOCKSCOPE_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'lockscope');
}

export function contentHash(rel: string, text: string): string {
  return createHash('sha1').update(rel).update('\u0000').update(text).digest('hex');
}

/** What an entry depends on besides its content: the engine code, the grammar files, the settings. */
export function cacheKey(parts: { files: string[]; settings: unknown }): string {
  const h = createHash('sha1');
  for (const f of parts.files) {
    try {
      h.update(fs.readFileSync(f));
    } catch {
      h.update(`missing:${f}`);
    }
  }
  h.update(JSON.stringify(parts.settings));
  return h.digest('hex').slice(0, 20);
}

/** A standalone copy-free view: the bytes own their ArrayBuffer (needed to transfer it between threads). */
function own(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : new Uint8Array(b);
}

export function serialise(value: unknown): Uint8Array {
  return own(v8.serialize(value));
}

export function deserialise<T>(buf: Uint8Array): T {
  return v8.deserialize(buf) as T;
}

function frame(payload: Uint8Array): Buffer {
  const head = Buffer.alloc(HEADER);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(payload.byteLength, 4);
  head.writeUInt32LE(zlib.crc32(payload), 8);
  return Buffer.concat([head, payload]);
}

/** The payload of a framed entry, or undefined when the frame does not check out. */
function unframe(buf: Buffer): Uint8Array | undefined {
  if (buf.byteLength < HEADER || buf.readUInt32LE(0) !== MAGIC) return undefined;
  const n = buf.readUInt32LE(4);
  if (buf.byteLength !== HEADER + n) return undefined;
  const payload = new Uint8Array(buf.buffer, buf.byteOffset + HEADER, n);
  return zlib.crc32(payload) === buf.readUInt32LE(8) ? own(payload) : undefined;
}

function writeAtomic(file: string, data: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    // a full disk leaves a partial file: never keep it (it would keep the disk full)
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* nothing more to do */
    }
    throw e;
  }
}

/** Remove `dir/name` when it is a file of one of lockscope's shapes (an entry, or a stale temporary). */
function removeOwnFile(dir: string, name: string, now: number, entries: boolean): void {
  const file = path.join(dir, name);
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile()) return;
    if (TMP.test(name) ? now - st.mtimeMs > STALE_TMP_MS : entries && HASH.test(name)) fs.unlinkSync(file);
  } catch {
    /* gone already, or another process holds it */
  }
}

/** rmdir, only when empty (never recursive). */
function removeEmptyDir(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    /* not empty (something not ours, or a concurrent run), or gone */
  }
}

/**
 * Remove one key's folder under records/ (`<hh>/<hash>`) or snapshots/ (`<hash>`): entries and
 * temporaries of lockscope's shapes only, file by file; `entries` false sweeps stale temporaries only.
 */
function sweepKey(dir: string, entries: boolean): void {
  const now = Date.now();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const sub = path.join(dir, n);
    if (SHARD.test(n)) {
      let isDir: boolean;
      try {
        isDir = fs.lstatSync(sub).isDirectory();
      } catch {
        continue;
      }
      if (!isDir) continue;
      let inner: string[];
      try {
        inner = fs.readdirSync(sub);
      } catch {
        continue;
      }
      for (const f of inner) removeOwnFile(sub, f, now, entries);
      if (entries) removeEmptyDir(sub);
    } else removeOwnFile(dir, n, now, entries);
  }
  if (entries) removeEmptyDir(dir);
}

function readEntry(file: string): Uint8Array | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const payload = unframe(buf);
  if (!payload) {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      /* another process may hold it */
    }
  }
  return payload;
}

/**
 * Keep the newest KEEP_KEYS key folders under `dir` (records/ or snapshots/); older keys are swept; stale
 * temporaries go everywhere.
 */
function prune(dir: string, keep: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const others = names
    .filter((n) => n !== keep && KEY.test(n))
    .map((n) => {
      try {
        return { n, t: fs.statSync(path.join(dir, n)).mtimeMs };
      } catch {
        return { n, t: 0 };
      }
    })
    .sort((a, b) => b.t - a.t);
  others.slice(0, KEEP_KEYS - 1).forEach((o) => sweepKey(path.join(dir, o.n), false));
  for (const o of others.slice(KEEP_KEYS - 1)) sweepKey(path.join(dir, o.n), true);
  sweepKey(path.join(dir, keep), false);
}

/** Per-file records (used by the extraction workers; each reads and writes its own files). */
export class RecordCache {
  private readonly dir: string;
  constructor(root: string, key: string) {
    this.dir = path.join(root, 'records', key);
  }
  private file(hash: string): string {
    return path.join(this.dir, hash.slice(0, 2), hash);
  }
  /** The serialised record, checked; undefined when absent or corrupt (a corrupt entry is removed). */
  get(hash: string): Uint8Array | undefined {
    return readEntry(this.file(hash));
  }
  put(hash: string, serialised: Uint8Array): void {
    try {
      writeAtomic(this.file(hash), frame(serialised));
    } catch {
      /* a read-only or full disk only costs speed */
    }
  }
  /** Make the key's folder, and drop the oldest other keys; false when the folder cannot be made (no cache then). */
  static prepare(root: string, key: string): boolean {
    try {
      fs.mkdirSync(path.join(root, 'records', key), { recursive: true });
      prune(path.join(root, 'records'), key);
      return true;
    } catch {
      return false;
    }
  }
}

/** Whole-tree analyses, by the hashes of every file in the tree (one kept per key). */
export class SnapshotCache {
  private readonly dir: string;
  constructor(root: string, key: string) {
    this.dir = path.join(root, 'snapshots', key);
  }
  static treeHash(files: { rel: string; hash: string }[]): string {
    const h = createHash('sha1');
    for (const f of files) h.update(f.rel).update('\u0000').update(f.hash).update('\n');
    return h.digest('hex');
  }
  get<T>(treeHash: string, check: (v: unknown) => v is T): T | undefined {
    const payload = readEntry(path.join(this.dir, treeHash));
    if (!payload) return undefined;
    try {
      const v: unknown = deserialise(payload);
      if (check(v)) return v;
    } catch {
      /* fall through: rebuilt */
    }
    fs.rmSync(path.join(this.dir, treeHash), { force: true });
    return undefined;
  }
  put(treeHash: string, value: unknown): void {
    try {
      writeAtomic(path.join(this.dir, treeHash), frame(serialise(value)));
      for (const n of fs.readdirSync(this.dir))
        if (n !== treeHash && HASH.test(n)) removeOwnFile(this.dir, n, Date.now(), true);
      prune(path.dirname(this.dir), path.basename(this.dir));
    } catch {
      /* only costs speed */
    }
  }
}
