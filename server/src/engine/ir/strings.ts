import { createHash } from 'node:crypto';

/**
 * Strings that do not hold on to their document. V8 represents a slice of a string of 13 characters or
 * more as a view into the whole string, so a function name, a callee or a lock expression taken from a
 * document's text keeps that whole text alive for as long as any result holds the name. Results that
 * outlive the text they came from (the incremental layer's caches across edits, the tree index) must own
 * their strings: `detachStrings` replaces, in place, every string inside a fresh result with a copy that
 * owns its characters. Objects are walked once each; shared parts stay shared.
 */

/** A copy of `s` that does not share the characters of a larger string. */
export function ownString(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf16le').toString('utf16le');
}

/** Replace every string reachable from `value` (own enumerable properties, arrays, Map and Set entries) in place. */
export function detachStrings<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (!v || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (typeof v[i] === 'string') v[i] = ownString(v[i] as string);
        else stack.push(v[i]);
      }
    } else if (v instanceof Map) {
      const entries = [...v.entries()];
      if (entries.some(([k]) => typeof k === 'string' && k.length >= 13)) {
        v.clear();
        for (const [k, x] of entries)
          v.set(typeof k === 'string' ? ownString(k) : k, typeof x === 'string' ? ownString(x) : x);
      } else for (const [k, x] of entries) if (typeof x === 'string') v.set(k, ownString(x));
      for (const x of v.values()) stack.push(x);
    } else if (v instanceof Set) {
      const items = [...v];
      if (items.some((x) => typeof x === 'string' && x.length >= 13)) {
        v.clear();
        for (const x of items) v.add(typeof x === 'string' ? ownString(x) : x);
      }
      for (const x of v) stack.push(x);
    } else if (!ArrayBuffer.isView(v)) {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        const x = o[k];
        if (typeof x === 'string') o[k] = ownString(x);
        else if (x && typeof x === 'object') stack.push(x);
      }
    }
  }
  return value;
}

/**
 * A key standing for a stretch of text (a function's, say) that holds no reference to the text: its length
 * and SHA-1. Two texts with the same key are taken as equal.
 */
export function textKey(s: string): string {
  return `${s.length}:${createHash('sha1').update(s).digest('base64')}`;
}
