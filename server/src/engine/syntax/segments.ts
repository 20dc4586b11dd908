/**
 * The file's function definitions, and what the analysis must know of each before building any CFG:
 * the lock sites in it, whether it touches locks itself, and the names it calls. These come from the
 * calls query (grammars/calls.scm). A whole-file query costs more than everything else an edit
 * does, so an open document keeps the facts of each stretch of text (a definition, or the text
 * between two) by its exact text, and queries only the stretches an edit changed.
 */
import type { Node, Query, QueryCapture, Tree } from 'web-tree-sitter';
import { detachStrings, textKey } from '../ir';
import type { ConfigView } from '../model';
import { decideConditional } from './conditionals';

/** The containers a configuration may decide (an `#else` is live exactly when its conditional is not). */
const CONDITIONAL = new Set(['preproc_if', 'preproc_ifdef', 'preproc_elif', 'preproc_elifdef']);

/** Where a function definition can sit: anything else is only entered when it holds a syntax error. */
const CONTAINERS = new Set([
  'translation_unit',
  'preproc_if',
  'preproc_ifdef',
  'preproc_else',
  'preproc_elif',
  'preproc_elifdef',
  'linkage_specification',
  'declaration_list',
  'ERROR',
]);

/**
 * Top-level function definitions in source order. A definition is not entered (`scoped_guard(rcu) { }`
 * inside a body also parses as one) unless it is broken: error recovery can stretch a definition
 * over the ones that follow it, and those complete definitions are kept (they are what the developer
 * is not typing in). With a configuration, a definition in an arm of `#ifdef CONFIG_X` it decides dead
 * is left out (the build never compiles it; conditionals.ts).
 */
export function topLevelDefs(tree: Tree, cfg?: ConfigView): Node[] {
  const found: Node[] = [];
  const c = tree.rootNode.walk();
  // per level of the walk, the decision of the conditional whose children are walked (undefined: none)
  const arms: (boolean | undefined)[] = [];
  let here: boolean | undefined;
  try {
    let descend = true;
    for (;;) {
      if (descend && c.gotoFirstChild()) arms.push(here);
      else
        while (!c.gotoNextSibling()) {
          if (!c.gotoParent()) return keepOutermost(found);
          arms.pop();
        }
      here = undefined;
      const arm = arms[arms.length - 1];
      if (arm !== undefined && (c.currentFieldName === 'alternative' ? arm : !arm)) {
        descend = false; // a dead arm
        continue;
      }
      const type = c.nodeType;
      if (type === 'function_definition') {
        const n = c.currentNode;
        found.push(n);
        descend = n.hasError;
      } else {
        descend = CONTAINERS.has(type) || c.currentNode.hasError;
        if (descend && cfg && CONDITIONAL.has(type)) here = decideConditional(c.currentNode, cfg);
      }
    }
  } finally {
    c.delete();
  }
}

function keepOutermost(found: Node[]): Node[] {
  const defs: Node[] = [];
  for (const d of found.sort((a, b) => a.startIndex - b.startIndex)) {
    const last = defs[defs.length - 1];
    if (!last || d.startIndex >= last.endIndex || (last.hasError && !d.hasError)) defs.push(d);
  }
  return defs;
}

/** What one stretch of text calls. */
export interface SegmentFacts {
  /** Lock-primitive call sites (`guard()` and `scoped_guard()` included). */
  lockSites: number;
  /** It calls a lock primitive or something that may sleep, or is annotated (`__must_hold(x)`). */
  direct: boolean;
  /** The other names it calls, in order, once each. */
  plain: string[];
  /** Every name it calls. */
  named: Set<string>;
}

/** Facts of earlier analyses of an open document, by the text they were read from (with `owner`'s lock names). */
export interface SegmentCache {
  owner?: unknown;
  defs: Map<string, SegmentFacts>;
  gaps: Map<string, number>;
}

export interface Classifier {
  isLock(name: string): boolean;
  sleeper(name: string): boolean;
}

/** A capture of grammars/calls.scm that is a lock site: a lock primitive's call, `scoped_guard(…)`, `guard(…)(…)`. */
export function lockSite(c: QueryCapture, cls: Classifier): boolean {
  if (c.name === 'guard') return c.node.text === 'guard';
  return c.name === 'name' && (cls.isLock(c.node.text) || c.node.text === 'scoped_guard');
}

/**
 * How many lock sites among `caps` start in [from, to). With `def` (the stretch is that definition's
 * own text), what it calls is recorded there: a lock site or a sleeper makes it `direct`, other
 * callees go to `plain`.
 */
function readCaptures(
  caps: QueryCapture[],
  from: number,
  to: number,
  def: SegmentFacts | undefined,
  cls: Classifier,
): number {
  let sites = 0;
  for (const c of caps) {
    const at = c.node.startIndex;
    if (at < from || at >= to) continue;
    if (lockSite(c, cls)) {
      sites++;
      if (def) {
        def.direct = true;
        // a primitive the file also defines (`wait_extent_bit` in a tree that has it) may still be a call whose
        // summary applies (await-release): its callers depend on its definition like on any callee's
        if (c.name === 'name' && !def.named.has(c.node.text)) def.plain.push(c.node.text);
        if (c.name === 'name') def.named.add(c.node.text);
      }
      continue;
    }
    if (c.name !== 'name' || !def) continue;
    const name = c.node.text;
    if (cls.sleeper(name)) def.direct = true;
    else if (!def.named.has(name)) def.plain.push(name);
    def.named.add(name);
  }
  return sites;
}

/** Past this many stretches to read, one query over the whole file is cheaper than one per stretch. */
const RANGED_QUERIES = 24;

/**
 * Facts per definition (`defs` as topLevelDefs gives them) and the lock sites outside them.
 * Definition i owns the text from its start to its end or to the next definition's start, whichever
 * comes first (error recovery can nest one in another); the rest of the file is gaps.
 * With `cache` (an open document), stretches whose text is in it are not queried again, and `cache`
 * is replaced by the facts of this text.
 */
export function segmentFacts(
  query: Query,
  tree: Tree,
  text: string,
  defs: Node[],
  cls: Classifier,
  cache?: SegmentCache,
): { facts: SegmentFacts[]; lockSitesOutside: number } {
  const starts = defs.map((d) => d.startIndex);
  const ends = defs.map((d, i) => Math.min(d.endIndex, i + 1 < defs.length ? starts[i + 1] : Infinity));
  // gap g lies before definition g (the last one after the last definition)
  const gapStart = (g: number) => (g === 0 ? 0 : ends[g - 1]);
  const gapEnd = (g: number) => (g < defs.length ? starts[g] : text.length);
  // keys that do not hold the text: the cache outlives it (see ir/strings.ts)
  const defKeys = defs.map((_d, i) => textKey(text.slice(starts[i], ends[i])));
  const gapKeys = Array.from({ length: defs.length + 1 }, (_x, g) => textKey(text.slice(gapStart(g), gapEnd(g))));
  const known = cache?.owner === cls ? cache : undefined;
  const facts: (SegmentFacts | undefined)[] = defKeys.map((k) => known?.defs.get(k));
  const gaps: (number | undefined)[] = gapKeys.map((k) => known?.gaps.get(k));
  const missing = facts.filter((f) => !f).length + gaps.filter((g) => g === undefined).length;

  const fresh = (i: number): SegmentFacts => {
    const d = defs[i];
    const body = d.childForFieldName('body');
    const annotated = !!body && /__(must_hold|releases|acquires)\s*\(/.test(text.slice(d.startIndex, body.startIndex));
    return { lockSites: 0, direct: annotated, plain: [], named: new Set() };
  };
  const read = (caps: QueryCapture[], from: number, to: number, def: SegmentFacts | undefined): number =>
    readCaptures(caps, from, to, def, cls);
  // a few stretches to read: a query for each, by range (web-tree-sitter's node indices count UTF-16
  // units, its query ranges bytes of the UTF-16 text); many: one query over the whole file, each capture
  // going to the stretch it starts in
  const ranged = (from: number, to: number) =>
    from < to ? query.captures(tree.rootNode, { startIndex: from * 2, endIndex: to * 2 }) : [];
  let whole: { perDef: QueryCapture[][]; perGap: QueryCapture[][] } | undefined;
  if (missing > RANGED_QUERIES || !cache) {
    whole = { perDef: defs.map(() => []), perGap: gapKeys.map(() => []) };
    let k = 0;
    for (const c of query.captures(tree.rootNode)) {
      const at = c.node.startIndex;
      while (k < defs.length && starts[k] <= at) k++;
      // definitions 0..k-1 start at or before `at`: it is in k-1's own text, or in the gap after it
      if (k > 0 && at < ends[k - 1]) whole.perDef[k - 1].push(c);
      else whole.perGap[k].push(c);
    }
  }
  defs.forEach((_d, i) => {
    if (facts[i]) return;
    const f = fresh(i);
    f.lockSites = read(whole ? whole.perDef[i] : ranged(starts[i], ends[i]), starts[i], ends[i], f);
    facts[i] = detachStrings(f);
  });
  gapKeys.forEach((_k, g) => {
    gaps[g] ??= read(whole ? whole.perGap[g] : ranged(gapStart(g), gapEnd(g)), gapStart(g), gapEnd(g), undefined);
  });
  if (cache) {
    cache.owner = cls;
    cache.defs = new Map(defKeys.map((k, i) => [k, facts[i]!]));
    cache.gaps = new Map(gapKeys.map((k, g) => [k, gaps[g]!]));
  }
  return { facts: facts as SegmentFacts[], lockSitesOutside: gaps.reduce<number>((a, b) => a + (b ?? 0), 0) };
}
