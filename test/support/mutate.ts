/**
 * Seeded mutations of C text for the fuzz, replay and soak tests: token deletions and insertions,
 * truncation, brace damage, and generated stress shapes (deep nesting, huge functions and switches).
 * The same seed gives the same sequence on every machine, so a failure names its seed and reproduces.
 */

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  ';',
  'if (x)',
  'else',
  'goto out;',
  'out:',
  'return -EIO;',
  'mutex_lock(&a->lock);',
  'mutex_unlock(&a->lock);',
  'spin_lock(&b);',
  'spin_unlock(&b);',
  '#ifdef CONFIG_X',
  '#endif',
  '/*',
  '*/',
  '"',
  "'",
  'switch (v) {',
  'case 1:',
  'break;',
  'while (1)',
  'do {',
  '} while (0);',
  'list_for_each_entry(p, &h, node) {',
  '\\',
  '#define M(x) x',
];

export type Mutation = 'delete' | 'insert' | 'truncate' | 'braces' | 'duplicate';

/** One mutation of `text`, chosen by `rnd`; returns the new text and what was done. */
export function mutate(text: string, rnd: () => number): { text: string; what: string } {
  const kinds: Mutation[] = ['delete', 'insert', 'truncate', 'braces', 'duplicate'];
  const kind = kinds[Math.floor(rnd() * kinds.length)];
  const at = Math.floor(rnd() * (text.length + 1));
  switch (kind) {
    case 'delete': {
      const n = 1 + Math.floor(rnd() * 40);
      return { text: text.slice(0, at) + text.slice(at + n), what: `delete ${n} at ${at}` };
    }
    case 'insert': {
      const tok = TOKENS[Math.floor(rnd() * TOKENS.length)];
      return { text: `${text.slice(0, at)} ${tok} ${text.slice(at)}`, what: `insert ${JSON.stringify(tok)} at ${at}` };
    }
    case 'truncate':
      return { text: text.slice(0, at), what: `truncate at ${at}` };
    case 'braces': {
      const open = rnd() < 0.5;
      return {
        text: text.replace(open ? /\}/g : /\{/g, (m) => (rnd() < 0.3 ? '' : m)),
        what: `drop some ${open ? 'closing' : 'opening'} braces`,
      };
    }
    default: {
      const n = Math.min(400, text.length - at);
      return {
        text: text.slice(0, at + n) + text.slice(at, at + n) + text.slice(at + n),
        what: `duplicate ${n} at ${at}`,
      };
    }
  }
}

/** `depth` nested ifs around a lock and an early return: deep recursion for every tree walk. */
export function deepNesting(depth: number): string {
  const open = Array.from({ length: depth }, (_, i) => `if (c${i % 7}) {`).join('\n');
  const close = '}'.repeat(depth);
  return (
    'int deep(struct a *a, int c0, int c1, int c2, int c3, int c4, int c5, int c6)\n{\nmutex_lock(&a->lock);\n' +
    `${open}\nreturn -EIO;\n${close}\nmutex_unlock(&a->lock);\nreturn 0;\n}\n`
  );
}

/** One function with `n` statements, a lock taken and dropped every 50. */
export function hugeFunction(n: number): string {
  const body: string[] = [];
  for (let i = 0; i < n; i++)
    body.push(i % 50 === 0 ? 'spin_lock(&a->s);' : i % 50 === 25 ? 'spin_unlock(&a->s);' : `a->v[${i % 13}] += ${i};`);
  return `void huge(struct a *a)\n{\n${body.join('\n')}\n}\n`;
}

/** A switch of `n` cases, some returning with the lock held. */
export function hugeSwitch(n: number): string {
  const cases = Array.from(
    { length: n },
    (_, i) => `case ${i}: ${i % 97 === 0 ? 'return -EIO;' : `a->v = ${i}; break;`}`,
  ).join('\n');
  return (
    'int sw(struct a *a, int v)\n{\nmutex_lock(&a->lock);\nswitch (v) {\n' +
    `${cases}\n}\nmutex_unlock(&a->lock);\nreturn 0;\n}\n`
  );
}
