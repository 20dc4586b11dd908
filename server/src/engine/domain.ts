/**
 * The abstract domain: a bounded set of path states (ESP-style property simulation).
 *
 * One state is a lockset (each lock's status, mode and acquisition site), the branch facts known
 * on the paths it stands for, and a trail of notable steps (the witness path). States with the
 * same lockset are joined (facts intersected, first trail kept); states with different locksets
 * stay apart, so correlated branches (`if (flags & X) lock(); ... if (flags & X) unlock();`) and
 * trylock outcomes stay precise. must-held = held in every state; may-held = held in some.
 */
import type { Mode } from './catalog';
import type { LockRef, Site } from './ir';

/**
 * held: taken in this function; caller: held on entry (annotation, assert);
 * released: taken here and released; dropped: released here, held by the caller on entry.
 */
export type Status = 'held' | 'caller' | 'released' | 'dropped';

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
const conjKey = (c: Conj): string => [...c].map(([k, v]) => `${v ? '' : '!'}${k}`).sort().join('&&');
const mentions = (text: string, name: string): boolean => {
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
    const before = i > 0 ? text[i - 1] : ' ';
    const after = text[i + name.length] ?? ' ';
    if (!/[A-Za-z0-9_]/.test(before) && !/[A-Za-z0-9_]/.test(after)) return true;
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
  private constructor(readonly conj: readonly Conj[], readonly collapsed: boolean, readonly key: string) {}

  static readonly TRUE = Facts.of([new Map()], false);

  private static of(conj: Conj[], collapsed: boolean): Facts {
    // drop disjuncts implied by a weaker one (a superset of its constraints)
    const keep = conj.filter((c, i) => !conj.some((d, j) => j !== i && d.size < c.size && [...d].every(([k, v]) => c.get(k) === v)));
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
    for (const c of this.conj) {
      const x = c.get(text);
      if (x === undefined) out.push(new Map(c).set(text, value));
      else if (x === value) out.push(c);
    }
    return out.length ? Facts.of(out, this.collapsed) : undefined;
  }

  /** Forget every fact that mentions `name` (it was assigned); optionally record its new constant value. */
  assign(name: string, value?: boolean): Facts {
    let touched = value !== undefined;
    const out = this.conj.map((c) => {
      let m: Map<string, boolean> | undefined;
      for (const k of c.keys()) if (mentions(k, name)) { m ??= new Map(c); m.delete(k); touched = true; }
      return m ?? c;
    });
    if (!touched) return this;
    if (value !== undefined) for (let i = 0; i < out.length; i++) out[i] = new Map(out[i]).set(name, value);
    return Facts.of(out as Conj[], this.collapsed);
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

export interface State {
  readonly locks: ReadonlyMap<string, LockFact>;
  readonly facts: Facts;
  readonly trail: Trail | null;
}

export const MAX_STATES = 32;

export const initialState = (locks: Map<string, LockFact> = new Map()): State =>
  ({ locks, facts: Facts.TRUE, trail: null });

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
  for (const [k, f] of s.locks) parts.push(`${k}|${f.status}|${f.mode}|${f.subclass ?? ''}|${Math.min(f.depth ?? 1, 4)}`);
  return parts.sort().join(';');
}

/** The set of states at a program point, keyed by signature. */
export class StateSet {
  readonly states = new Map<string, State>();
  overflowed = false;

  /** Join a state in; returns true when the set changed. */
  add(s: State): boolean {
    const sig = signature(s);
    const old = this.states.get(sig);
    if (!old) {
      if (this.states.size >= MAX_STATES) { this.overflowed = true; return false; }
      this.states.set(sig, s);
      return true;
    }
    const facts = old.facts.join(s.facts);
    if (facts.key === old.facts.key && facts.collapsed === old.facts.collapsed) return false;
    this.states.set(sig, { locks: old.locks, facts, trail: old.trail });
    return true;
  }

  get size(): number { return this.states.size; }
  [Symbol.iterator](): IterableIterator<State> { return this.states.values(); }
}
