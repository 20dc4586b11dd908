/**
 * The abstract domain: a bounded set of path states (ESP-style property simulation).
 *
 * One state is a lockset (each lock's status, mode and acquisition site), the branch facts known
 * on the paths it stands for, and a trail of notable steps (the witness path). States with the
 * same lockset are joined (facts intersected, first trail kept); states with different locksets
 * stay apart, so correlated branches (`if (flags & X) lock(); ... if (flags & X) unlock();`) and
 * trylock outcomes stay precise. must-held = held in every state; may-held = held in some.
 */
import { type Mode, NAME_PATTERNS } from '../model';
import { type LockRef, type RetClass, type Site, equalityText, keyOfPointer } from '../ir';

/**
 * held: taken in this function; caller: held on entry (annotation, assert);
 * released: taken here and released; dropped: released here, held by the caller on entry;
 * handed: handed to an owner (a transaction) that releases it later; not a leak at exit.
 */
export type Status = 'held' | 'caller' | 'released' | 'dropped' | 'handed';

/**
 * Held by this path: taken here, held by the caller, or handed to an owner that releases it later
 * (`xfs_trans_ijoin()` gives the inode lock to the transaction, which drops it at commit).
 */
export function isHeld(f: { status: Status; ifFact?: unknown } | undefined): boolean {
  return !!f && !f.ifFact && (f.status === 'held' || f.status === 'caller' || f.status === 'handed');
}

export interface LockFact {
  ref: LockRef;
  status: Status;
  mode: Mode;
  via: string;
  site?: Site;
  siteId?: number;
  subclass?: string;
  /** Dropped without an annotation saying the caller holds it: an inferred precondition. */
  inferred?: boolean;
  /** Where it was released (for double unlock). */
  releasedAt?: Site;
  /** Nesting depth for locks that may nest (rcu_read_lock twice needs two unlocks). */
  depth?: number;
  /** For a handed lock: whether this function took it or its caller held it. */
  handedFrom?: 'held' | 'caller';
  /** Taken by a trylock-style callee: held only where the call's result (`text`) reads `value`. */
  ifFact?: { text: string; value: boolean };
}

/** A step of the witness path, newest first (persistent list, shared between states). */
export interface Trail {
  line: number;
  column: number;
  note: string;
  key?: string;
  prev: Trail | null;
  len: number;
}

type Conj = ReadonlyMap<string, boolean>;
const MAX_CONJ = 8;
const conjKey = (c: Conj): string =>
  [...c]
    .map(([k, v]) => `${v ? '' : '!'}${k}`)
    .sort()
    .join('&&');
const mentions = (text: string, name: string): boolean => {
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
    const before = i > 0 ? text[i - 1] : ' ';
    const after = text[i + name.length] ?? ' ';
    // `dn->inode` and `tdn.inode` name a field, not the variable `inode`
    const field = before === '.' || (before === '>' && text[i - 2] === '-');
    if (!field && !/[A-Za-z0-9_]/.test(before) && !/[A-Za-z0-9_]/.test(after)) return true;
  }
  return false;
};

/**
 * Branch facts of the paths a state stands for: a bounded disjunction of conjunctions of
 * (pure condition text = value). Joining two states with the same lockset unions their
 * disjunctions, so `if (!a && !b) lock(); ... if (!a && !b) unlock();` stays correlated.
 * Past MAX_CONJ disjuncts it collapses to what they all agree on, and then only shrinks.
 */
export class Facts {
  private constructor(
    readonly conj: readonly Conj[],
    readonly collapsed: boolean,
    readonly key: string,
  ) {}

  static readonly TRUE = Facts.of([new Map()], false);

  private static of(conj: Conj[], collapsed: boolean): Facts {
    // drop disjuncts implied by a weaker one (a superset of its constraints)
    const keep = conj.filter(
      (c, i) => !conj.some((d, j) => j !== i && d.size < c.size && [...d].every(([k, v]) => c.get(k) === v)),
    );
    const uniq = new Map<string, Conj>();
    for (const c of keep) uniq.set(conjKey(c), c);
    const list = [...uniq.values()];
    return new Facts(list, collapsed, [...uniq.keys()].sort().join('||'));
  }

  /** The value every disjunct agrees on, if any. */
  get(text: string): boolean | undefined {
    let v: boolean | undefined;
    for (const c of this.conj) {
      const x = c.get(text);
      if (x === undefined || (v !== undefined && v !== x)) return undefined;
      v = x;
    }
    return v;
  }

  /** Restrict to paths where `text` has `value`; undefined when no path remains. */
  assume(text: string, value: boolean): Facts | undefined {
    const out: Conj[] = [];
    const eq = EQ_CONST.exec(text);
    for (const c of this.conj) {
      const x = c.get(text);
      if (x !== undefined) {
        if (x === value) out.push(c);
        continue;
      }
      if (!consistent(c, text, value, eq)) continue;
      const m = new Map(c).set(text, value);
      if (eq && value && eq[2] !== '0') m.set(eq[1], true); // x == C (C nonzero) implies x
      out.push(m);
    }
    return out.length ? Facts.of(out, this.collapsed) : undefined;
  }

  /**
   * Forget every fact that mentions `name` (it was assigned); optionally record its new constant value.
   * `sameTruth`: the new value is nonzero exactly when the old one was (pointer arithmetic), so the
   * fact on `name` itself stays.
   */
  assign(
    name: string,
    value?: boolean,
    constText?: string,
    sameTruth?: boolean,
    derived?: { eq?: string; fresh?: boolean; reads?: string[]; rhs?: string; copy?: string },
  ): Facts {
    let touched = value !== undefined || constText !== undefined || !!derived?.eq || !!derived?.fresh;
    const from = derived?.reads ? this.derivedFrom(derived.reads) : undefined;
    if (from?.length) touched = true;
    // the value's facts become the variable's: a copy's (`p = q`), a call's (`p = f(x)`, what its summary says;
    // also `p = f(p)`, whose call text names the old value, as the facts about it do)
    const carry = derived?.copy ?? derived?.rhs;
    const carried = carry !== undefined && (!derived?.copy || !mentions(carry, name)) ? carry : undefined;
    const own = carried !== undefined && mentions(carried, name);
    // a fact about the value only, not about the variable's old value outside it
    const about = (k: string) => !k.startsWith('#') && !mentions(own ? renameExpr(k, carried, '()') : k, name);
    const out = this.conj.map((c) => {
      let m: Map<string, boolean> | undefined;
      // sizeof(x) does not depend on x's value
      for (const k of c.keys())
        if ((!sameTruth || k !== name) && mentions(k.replace(/sizeof\([^()]*\)/g, 'sizeof()'), name)) {
          m ??= new Map(c);
          m.delete(k);
          touched = true;
        }
      if (carried !== undefined) {
        for (const [k, v] of c) {
          const r = about(k) ? renameExpr(k, carried, name) : k;
          if (r === k) continue;
          m ??= new Map(c);
          m.set(r, v);
          touched = true;
        }
      }
      return m ?? c;
    });
    if (!touched) return this;
    if (value !== undefined || constText !== undefined || derived?.eq || derived?.fresh || from?.length) {
      for (let i = 0; i < out.length; i++) {
        const m = new Map(out[i]);
        if (value !== undefined) m.set(name, value);
        if (constText !== undefined) m.set(`${name}==${constText}`, true);
        if (derived?.eq) m.set(derived.eq, true);
        if (derived?.fresh) m.set(`${FRESH}${name}`, true);
        for (const x of from ?? []) m.set(`${FROM}${x} ${name}`, true);
        out[i] = m;
      }
    }
    return Facts.of(out as Conj[], this.collapsed);
  }

  /**
   * A callee left `value` (and, with `constText`, that constant) in `name` on every path: the facts that read
   * `name` itself are replaced, and nothing else is forgotten (as for every call, the rest of memory is assumed
   * unchanged).
   */
  stored(name: string, value: boolean | undefined, constText: string | undefined): Facts {
    if (value === undefined && constText === undefined) return this;
    const out = this.conj.map((c) => {
      const m = new Map(c);
      for (const k of c.keys()) if (k === name || EQ_CONST.exec(k)?.[1] === name) m.delete(k);
      if (value !== undefined) m.set(name, value);
      if (constText !== undefined) m.set(`${name}==${constText}`, true);
      return m;
    });
    const next = Facts.of(out, this.collapsed);
    return next.key === this.key && next.collapsed === this.collapsed ? this : next;
  }

  /** The fresh pointers (see FRESH) a value computed from `reads` may be derived from, on some path. */
  private derivedFrom(reads: readonly string[]): string[] {
    const out = new Set<string>();
    for (const c of this.conj) {
      for (const k of c.keys()) {
        if (k.startsWith(FRESH)) {
          const x = k.slice(FRESH.length);
          if (reads.includes(x)) out.add(x);
        } else if (k.startsWith(FROM)) {
          const [x, y] = k.slice(FROM.length).split(' ');
          if (reads.includes(y)) out.add(x);
        }
      }
    }
    return [...out];
  }

  /** `p` was stored somewhere (`x->buf = p`): memory may now hold it, so it is no longer fresh. */
  escaped(roots: readonly string[]): Facts {
    if (!this.conj.some((c) => roots.some((r) => c.has(`${FRESH}${r}`)))) return this;
    const out = this.conj.map((c) => {
      const m = new Map(c);
      for (const r of roots) m.delete(`${FRESH}${r}`);
      return m;
    });
    return Facts.of(out, this.collapsed);
  }

  /** The constant `x` holds on every path (`x = XFS_ILOCK_EXCL;`), by name, if any. */
  constantOf(x: string): string | undefined {
    for (const k of this.conj[0]?.keys() ?? []) {
      if (!k.startsWith(`${x}==`)) continue;
      const m = EQ_CONST.exec(k);
      if (m && m[1] === x && this.get(k) === true) return m[2];
    }
    return undefined;
  }

  /** The equalities `a==b` between two non-constant expressions that hold on every path. */
  equalities(): [string, string][] {
    const out: [string, string][] = [];
    for (const k of this.conj[0]?.keys() ?? []) {
      const i = k.indexOf('==');
      if (i <= 0 || k.indexOf('==', i + 2) >= 0 || EQ_CONST.test(k) || this.get(k) !== true) continue;
      out.push([k.slice(0, i), k.slice(i + 2)]);
    }
    return out;
  }

  join(other: Facts): Facts {
    if (other.key === this.key) return this;
    if (this.collapsed || other.collapsed || this.conj.length + other.conj.length > MAX_CONJ) {
      // collapse: keep what every disjunct of both agrees on
      const all = [...this.conj, ...other.conj];
      const common = new Map<string, boolean>();
      for (const [k, v] of all[0] ?? []) if (all.every((c) => c.get(k) === v)) common.set(k, v);
      return Facts.of([common], true);
    }
    return Facts.of([...this.conj, ...other.conj], false);
  }
}

export { mentions };

/**
 * `text` with the expression `from` (where it stands whole: not a field name, not part of a longer name) read
 * as `to`; an equality is written again in its one form (see equalityText).
 */
export function renameExpr(text: string, from: string, to: string): string {
  let out = '';
  let last = 0;
  for (let i = text.indexOf(from); i >= 0; i = text.indexOf(from, i + 1)) {
    const before = i > 0 ? text[i - 1] : ' ';
    const after = text[i + from.length] ?? ' ';
    const field = before === '.' || (before === '>' && text[i - 2] === '-');
    if (field || /[A-Za-z0-9_]/.test(before) || /[A-Za-z0-9_]/.test(after) || i < last) continue;
    out += text.slice(last, i) + to;
    last = i + from.length;
  }
  if (!last) return text;
  out += text.slice(last);
  const eq = out.indexOf('==');
  return eq > 0 && out.indexOf('==', eq + 2) < 0 ? equalityText(out.slice(0, eq), out.slice(eq + 2)) : out;
}

const POSTFIX = /^[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)*$/;
/** One call of a function over plain names (`foo_inode(inode)`, `FOO_I(file->f_inode)`). */
const CALL = /^[A-Za-z_]\w*\([&*]?[A-Za-z_][\w>.,&*-]*\)$/;

/**
 * Other names of lock `key` through the pointer equalities of `facts` (`p = q;`, `m = &x->lock;`, `if (p == q)`):
 * `*m` is `x->lock` when m == &x->lock, and `p->lock` is `q->lock` when p == q. `avoid`: a variable the
 * name must not use (it is being assigned).
 */
export function aliasKeys(key: string, facts: Facts, avoid?: string): string[] {
  const out: string[] = [];
  for (const [l, r] of facts.equalities()) {
    for (const [a, b] of [
      [l, r],
      [r, l],
    ]) {
      let cand: string | undefined;
      if (keyOfPointer(a) === key) cand = keyOfPointer(b);
      else if (/^[A-Za-z_]\w*$/.test(a) && POSTFIX.test(b) && mentions(key, a)) {
        cand = key.replace(new RegExp(`(^|[^\\w.>])${a}(?!\\w)`, 'g'), (_m, pre: string) => `${pre}${b}`);
      } else if (/^[A-Za-z_]\w*$/.test(a) && CALL.test(b) && key.includes(b)) {
        // `ci = foo_inode(inode)` (an accessor): `foo_inode(inode)->lock` is `ci->lock`
        const esc = b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        cand = key.replace(new RegExp(`(^|[^\\w.>])${esc}(?=$|->|\\.|\\))`, 'g'), (_m, pre: string) => `${pre}${a}`);
      }
      if (cand && cand !== key && !(avoid && mentions(cand, avoid)) && !out.includes(cand)) out.push(cand);
    }
  }
  return out;
}

/** The number a variable is known to hold on these paths (`x = 1;`, or `x` known false = 0). */
function knownNumber(c: Conj, x: string): number | undefined {
  if (c.get(x) === false) return 0;
  for (const [t, v] of c) {
    if (!v || !t.startsWith(`${x}==`)) continue;
    const n = Number(t.slice(x.length + 2));
    if (!Number.isNaN(n)) return n;
  }
  return undefined;
}

/**
 * Ghost facts about pointers (their texts are no C expression): `#new p`: p holds a fresh allocation (or NULL)
 * and has not been stored anywhere; `#from p q`: q was computed from p (or from something computed from p)
 * after p's allocation. Both are forgotten, like every fact, when a variable they name is assigned.
 */
const FRESH = '#new ';
const FROM = '#from ';

/**
 * `x==E` cannot hold on the paths of `c` when x is a fresh non-NULL pointer and E is made of variables that
 * existed before x's allocation (none of them computed from x): a new object has an address no older
 * pointer holds. Only an expression naming some variable (`HDR(bh)`, `of->buf`), not a constant
 * (`ZERO_SIZE_PTR`). Stores by callees are not modelled, as for every fact.
 */
function freshDistinct(c: Conj, text: string): boolean {
  for (const [k, v] of c) {
    if (!v || !k.startsWith(FRESH)) continue;
    const x = k.slice(FRESH.length);
    const other = text.startsWith(`${x}==`)
      ? text.slice(x.length + 2)
      : text.endsWith(`==${x}`)
        ? text.slice(0, -x.length - 2)
        : undefined;
    if (other === undefined || c.get(x) !== true || mentions(other, x)) continue;
    const vars = (other.match(/[A-Za-z_]\w*(?!\w|\s*\()/g) ?? []).filter((w) => /[a-z]/.test(w));
    if (!vars.length) continue;
    if (vars.some((w) => c.get(`${FROM}${x} ${w}`) === true)) continue;
    return true;
  }
  return false;
}

/** `x==C` with C a constant: the variable and the constant. */
const EQ_CONST = /^(.+?)==(-?[A-Z0-9_][A-Za-z0-9_]*)$/;

/** Can `text` be `value` on the paths of conjunction `c`, given what `c` says about equalities? */
function consistent(c: Conj, text: string, value: boolean, eq: RegExpExecArray | null): boolean {
  // `x & MASK` when x is a known number
  const bit = /^([A-Za-z_]\w*)&(\d+|0x[0-9a-fA-F]+)$/.exec(text);
  if (bit) {
    const known = knownNumber(c, bit[1]);
    if (known !== undefined && ((known & Number(bit[2])) !== 0) !== value) return false;
  }
  if (value && text.includes('==') && freshDistinct(c, text)) return false;
  // `a==b` between two non-constant values: one known zero and the other known nonzero cannot be equal, and
  // two known zero cannot differ (`if (!locked) p = lookup(); ... if (p != locked)` with p tested non-NULL)
  const i = eq ? -1 : text.indexOf('==');
  if (i > 0 && text.indexOf('==', i + 2) < 0) {
    const a = c.get(text.slice(0, i));
    const b = c.get(text.slice(i + 2));
    if (a !== undefined && b !== undefined && (value ? a !== b : !a && !b)) return false;
  }
  if (eq && value) {
    const [, x, k] = eq;
    if (k !== '0' && c.get(x) === false) return false; // x is 0, so x == C (C != 0) is false
    for (const [t, v] of c) {
      if (!v) continue;
      const other = EQ_CONST.exec(t);
      if (other && other[1] === x && other[2] !== k) return false; // x == D, so x == C is false
    }
  }
  if (!value) {
    for (const [t, v] of c) {
      const other = v ? EQ_CONST.exec(t) : null;
      if (other && other[1] === text && other[2] !== '0') return false; // x == C (C != 0), so x is not 0
    }
  }
  return true;
}

export interface State {
  readonly locks: ReadonlyMap<string, LockFact>;
  readonly facts: Facts;
  readonly trail: Trail | null;
}

export const MAX_STATES = 32;
/** Past this many states at a point, lock-deciding facts no longer split them (room for distinct locksets). */
export const SPLIT_STATES = 16;

export const initialState = (locks: Map<string, LockFact> = new Map()): State => ({
  locks,
  facts: Facts.TRUE,
  trail: null,
});

/**
 * Trails stay bounded without cutting: a join keeps the first trail of a signature, so a loop
 * cannot grow one, and the structure is shared between the states that extend it.
 */
export function pushTrail(t: Trail | null, line: number, column: number, note: string, key?: string): Trail {
  return { line, column, note, key, prev: t, len: (t?.len ?? 0) + 1 };
}

export function trailSteps(t: Trail | null): Trail[] {
  const out: Trail[] = [];
  for (let c = t; c; c = c.prev) out.push(c);
  return out.reverse();
}

/** The lockset part of a state, as a string: states with equal signatures are joined. */
export function signature(s: State): string {
  const parts: string[] = [];
  for (const [k, f] of s.locks)
    parts.push(
      `${k}|${f.status}|${f.mode}|${f.subclass ?? ''}|${Math.min(f.depth ?? 1, 4)}|` +
        `${f.ifFact ? `${f.ifFact.text}=${f.ifFact.value}` : ''}`,
    );
  return parts.sort().join(';');
}

/**
 * The facts that decide locks (conditions tested next to an acquire or a release: `if (!rl) down_read(..)`,
 * `if (rl) up_read(..)`), whose value on a path keeps its state apart from the others: a pointer that is
 * non-NULL exactly while a lock is held, a flag set with the lock and cleared with it. A state's part of
 * its key is what all its paths agree on for each of them (true, false, or unknown).
 */
export function factSignature(s: State, keys: readonly string[]): string {
  let out = '';
  for (const k of keys) {
    const v = s.facts.get(k);
    out += v === undefined ? '?' : v ? '1' : '0';
  }
  return out;
}

/** The set of states at a program point, keyed by signature. */
export class StateSet {
  readonly states = new Map<string, State>();
  overflowed = false;

  /** `keys`: the lock-deciding facts states are kept apart by (see factSignature). */
  constructor(private readonly keys: readonly string[] = []) {}

  /** Join a state in; returns true when the set changed. */
  add(s: State): boolean {
    const lockSig = signature(s);
    let sig = this.keys.length ? `${lockSig}#${factSignature(s, this.keys)}` : lockSig;
    let old = this.states.get(sig);
    if (!old && this.keys.length && this.states.size >= SPLIT_STATES) {
      // full: join it with a state of the same lockset instead (as without the split)
      for (const [k, t] of this.states)
        if (k.startsWith(`${lockSig}#`)) {
          sig = k;
          old = t;
          break;
        }
    }
    if (!old) {
      if (this.states.size >= MAX_STATES) {
        this.overflowed = true;
        return false;
      }
      this.states.set(sig, s);
      return true;
    }
    const facts = old.facts.join(s.facts);
    if (facts.key === old.facts.key && facts.collapsed === old.facts.collapsed) return false;
    this.states.set(sig, { locks: old.locks, facts, trail: old.trail });
    return true;
  }

  get size(): number {
    return this.states.size;
  }
  [Symbol.iterator](): IterableIterator<State> {
    return this.states.values();
  }
}

/** Variables that hold a -errno by kernel convention (a catalog pattern). */
const ERRNO_VAR = NAME_PATTERNS.errnoVar;

/** How a return value reads: error-ish (negative errno, NULL, ERR_PTR, false), success-ish, or unknown. */
export function retKind(r: RetClass | undefined, s: State): 'error' | 'ok' | 'true' | 'false' | 'unknown' {
  if (!r || r.k === 'void') return 'unknown';
  if (r.k === 'try') return r.ok ? 'true' : 'false';
  if (r.k === 'const') {
    if (r.error) return 'error';
    return r.truthy ? 'true' : 'false';
  }
  if (r.k === 'var') {
    const f = s.facts.get(r.name);
    if (f === false) return 'false';
    if (f === true) return ERRNO_VAR.test(r.name) ? 'error' : 'true';
    return 'unknown';
  }
  return r.error ? 'error' : 'unknown';
}

/** The pointer a lock lives in (`page` for `PG_locked(page)`, `a->b` for `a->b->lock`), when it is a plain one. */
export function objectOf(key: string): string | undefined {
  const page = /^PG_locked\(([A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)*)\)$/.exec(key);
  if (page) return page[1];
  const field = /^([A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)*)->[A-Za-z_]\w*$/.exec(key);
  return field?.[1];
}
