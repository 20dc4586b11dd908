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

export interface State {
  readonly locks: ReadonlyMap<string, LockFact>;
  readonly facts: ReadonlyMap<string, boolean>;
  readonly trail: Trail | null;
}

export const MAX_STATES = 32;

export const initialState = (locks: Map<string, LockFact> = new Map()): State =>
  ({ locks, facts: new Map(), trail: null });

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
  for (const [k, f] of s.locks) parts.push(`${k}|${f.status}|${f.mode}|${f.subclass ?? ''}`);
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
    // join: keep facts both agree on
    let shrunk = false;
    const facts = new Map<string, boolean>();
    for (const [k, v] of old.facts) {
      if (s.facts.get(k) === v) facts.set(k, v); else shrunk = true;
    }
    if (!shrunk) return false;
    this.states.set(sig, { locks: old.locks, facts, trail: old.trail });
    return true;
  }

  get size(): number { return this.states.size; }
  [Symbol.iterator](): IterableIterator<State> { return this.states.values(); }
}
