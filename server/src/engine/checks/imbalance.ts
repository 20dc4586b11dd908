/**
 * lock-imbalance: the exits of a function disagree on a lock, and neither the return value
 * (trylock-style, error returns), the caller's request (a flag) nor an annotation explains it.
 * Reported on each exit that leaks (or, when most exits leak, on those that do not).
 */
import type { LockFact } from '../absint';
import { type FunctionIR, type Site, rootIdentifier } from '../ir';
import { type Doubt, NAME_PATTERNS, findingMessage } from '../model';
import { type CheckContext, type KindChecker, type Message, type Report, lineRef } from './context';
import {
  type ExitSeen,
  annotatedDelta,
  exitDelta,
  exitKinds,
  explainedByReturn,
  callerFactSplitting,
  retText,
  returnsLockedName,
  splitByCallerFact,
} from './exits';
import { parkedAtExit } from './handoff';

export const lockImbalance: KindChecker = {
  kind: 'lock-imbalance',
  create: (c, report) => {
    const exits: ExitSeen[] = [];
    return {
      exit(node, out) {
        exits.push({ node, state: out, delta: exitDelta(out) });
      },
      // an exit imbalance caused by a release already reported as unlock-not-held is the same bug
      finish() {
        const reported = new Set(
          c.sink.findings.filter((f) => f.kind === 'unlock-not-held').map((f) => f.lock.instance),
        );
        imbalance(c, exits, report, reported);
      },
    };
  },
};

/** The exits grouped by what they did to `key` (+1, 0, -1), and one fact about the lock. */
function groupExits(exits: ExitSeen[], key: string): { groups: Map<number, ExitSeen[]>; fact?: LockFact } {
  const groups = new Map<number, ExitSeen[]>();
  let fact: LockFact | undefined;
  // an exit on which the lock's object is known NULL says nothing about the lock
  const root = rootIdentifier(key.replace(/^\*/, ''));
  for (const e of exits) {
    if (root && e.state.facts.get(root) === false && !e.delta.has(key)) continue;
    const d = e.delta.get(key);
    fact ??= d?.fact;
    const g = groups.get(d?.d ?? 0) ?? [];
    g.push(e);
    groups.set(d?.d ?? 0, g);
  }
  return { groups, fact };
}

/** The exits to report for `key`, or none when the disagreement is explained. */
function exitsToReport(
  ir: FunctionIR,
  exits: ExitSeen[],
  key: string,
  groups: Map<number, ExitSeen[]>,
  declared: number | undefined,
): ExitSeen[] {
  if (declared !== undefined) {
    const good = groups.get(declared) ?? [];
    const bad = exits.filter((e) => (e.delta.get(key)?.d ?? 0) !== declared);
    if (!bad.length) return [];
    // the return value says which exits follow the declaration (`return -EAGAIN;` keeping it is a protocol)
    if (declared !== 0 && good.length && explainedByReturn(good, bad, false, '', key, ir)) return [];
    return bad;
  }
  if (groups.size < 2) return [];
  const plus = groups.get(1) ?? [];
  const minus = groups.get(-1) ?? [];
  const zero = groups.get(0) ?? [];
  if (plus.length && zero.length && !minus.length) {
    if (explainedByReturn(plus, zero, true, ir.name, key, ir)) return [];
    // some exits say by their value that the lock stays held (VM_FAULT_LOCKED): the others are the leak
    const unsaid = plus.filter((e) => !returnsLockedName(e, ir));
    if (unsaid.length < plus.length) return unsaid;
    // an acquire helper (it never releases the lock itself) that sometimes returns without it
    if (
      NAME_PATTERNS.releaser.test(ir.name) === false &&
      NAME_PATTERNS.acquirer.test(ir.name) &&
      zero.every((e) => !e.state.locks.has(key))
    )
      return [];
    return plus.length <= zero.length ? plus : zero;
  }
  if (minus.length && zero.length && !plus.length) {
    // dropping a lock the caller holds on some exits only: a contract only an annotation or an
    // assert states; inferred from the releases alone it is too often an error-path protocol
    if (minus.some((e) => e.delta.get(key)?.fact.inferred)) return [];
    if (explainedByReturn(minus, zero, false, '', key, ir)) return [];
    return minus.length <= zero.length ? minus : zero;
  }
  return plus.length ? plus : minus;
}

function imbalance(c: CheckContext, exits: ExitSeen[], report: Report, skip: Set<string>): void {
  const { ir } = c;
  if (exits.length < 1) return;
  const keys = new Set<string>();
  for (const e of exits) for (const k of e.delta.keys()) keys.add(k);
  for (const key of keys) {
    // an exit that parked the lock in a context that outlives it (a record of it, a non-owner
    // primitive) neither keeps nor drops it as far as this function is concerned
    const live = exits.filter((e) => {
      const d = e.delta.get(key);
      return !(d && d.d > 0 && parkedAtExit(ir, e, key, d.fact));
    });
    const { groups, fact } = groupExits(live, key);
    if (!fact || skip.has(fact.ref.display)) continue;
    const declared = annotatedDelta(ir, key);
    const bad = exitsToReport(ir, live, key, groups, declared);
    if (!bad.length) continue;
    // exits that never touched the lock vs exits that hold/dropped it, separated by a caller's flag:
    // the lock is taken on request (`if (flags & X_LOCK) lock(..)`); exits that took and released it
    // are not like that, so a return-with-lock there stays a leak
    const untouched = live.filter((e) => !e.state.locks.has(key));
    const changed = live.filter((e) => e.delta.has(key));
    if (untouched.length + changed.length === live.length && splitByCallerFact(ir, changed, untouched)) continue;
    // against an annotation: the exits that follow it and those that do not, separated by a caller's request
    // (`__releases` for a lock dropped only for one kind of message), say the annotation is conditional; the
    // callers are judged by the condition (xcall), so the exits are only a doubt about the annotation
    const split = declared !== undefined ? callerFactSplitting(ir, groups.get(declared) ?? [], bad) : undefined;
    const conditional = split !== undefined && isRequest(split, ir) ? [ANNOTATION_SPLIT] : [];
    for (const e of bad) reportExit(c, report, e, key, fact, declared, conditional);
  }
}

function reportExit(
  c: CheckContext,
  report: Report,
  e: ExitSeen,
  key: string,
  fallback: LockFact,
  declared: number | undefined,
  extra: Doubt[] = [],
): void {
  const d = e.delta.get(key)?.d ?? 0;
  const site: Site = { line: e.node.line, column: e.node.column, endLine: e.node.line, endColumn: e.node.column + 6 };
  const how = retText(e.node.ret);
  const f = e.delta.get(key)?.fact ?? fallback;
  const path = c.paths.trail(e.state, d > 0 ? key : undefined);
  path.push(c.paths.step(site, d > 0 ? `${how} with ${f.ref.display} still held` : `${how}`));
  report(key, f.ref, site, exitMessage(d, declared, f, how), path, undefined, [
    ...exitDoubts(e, d, declared),
    ...extra,
  ]);
}

/**
 * Is a separating fact a request the caller makes: a parameter it passes (`keep`), or a field of one compared with
 * a named constant (`grant->op == FOO_OP_IMPORT`, the kind of message)? A field's bare truth (`t->shrinking`) is
 * the object's state, which the caller does not choose: exits that break the annotation on it are a bug.
 */
function isRequest(fact: string, ir: FunctionIR): boolean {
  if (ir.params.includes(fact)) return true;
  const eq = /^(.+)==([A-Z][A-Z0-9_]*)$/.exec(fact);
  return !!eq && ir.params.some((p) => new RegExp(`(^|[^\\w>.])${p}(->|\\.)`).test(eq[1]));
}

/** An annotation the function follows only on a caller's request. */
const ANNOTATION_SPLIT: Doubt = {
  level: 'low',
  why:
    'the exits that follow the annotation and those that do not are told apart by what the caller passes: ' +
    'the annotation is conditional, and each call is checked against the condition',
};

/**
 * How sure an exit imbalance is. By the kernel's convention an error return undoes what the function
 * took, so a lock still held on an exit known to return an error is a leak: high; so is one held on
 * a `return;` of a void function, where no value can tell the caller which exit ran. Any other
 * disagreement (held on a success or unclassified return, the caller's lock dropped on some exits, a
 * lock missing where most exits keep it) may be a hand-off the return value or a context object
 * carries, which the engine cannot prove either way: medium.
 */
function exitDoubts(e: ExitSeen, d: number, declared: number | undefined): Doubt[] {
  if (declared !== undefined) return []; // the annotation says what every exit must do
  // the same reading of the return value as the hand-off explanations (exitKinds, per class of paths)
  if (d > 0 && (!e.node.ret || e.node.ret.k === 'void' || [...exitKinds(e)].every((k) => k === 'error'))) return [];
  const why =
    d > 0
      ? `the exit that keeps it is not known to return an error (${retText(e.node.ret)}): ` +
        'it may hand the lock to the caller'
      : d < 0
        ? 'only some exits drop the lock the caller holds: the return value may tell the caller which'
        : 'most exits keep the lock: the function may hand it to its caller';
  return [{ level: 'medium', why }];
}

/** What an exit did wrong: kept a lock (d > 0), dropped the caller's (d < 0), or did not take it. */
function exitMessage(d: number, declared: number | undefined, f: LockFact, how: string): Message {
  const lock = f.ref.display;
  if (d > 0) {
    const taken = lineRef(f.site);
    return findingMessage`lock imbalance: ${lock} taken at ${taken} is still held when ${how}; other exits release it`;
  }
  if (d < 0) return findingMessage`lock imbalance: ${lock} (held by the caller) is released on this path only, ${how}`;
  if (declared === -1 && d === 0) {
    return findingMessage`lock imbalance: ${lock} is still held when ${how}, but the function is annotated __releases`;
  }
  if (declared === 1) {
    return findingMessage`lock imbalance: ${lock} is not held when ${how}, but the function is annotated __acquires`;
  }
  return findingMessage`lock imbalance: ${lock} is not held when ${how}, while other exits keep it held`;
}
