/**
 * `lockscope report --documented-orders`: each lock order the kernel documents (engine model/docorders.ts)
 * beside what the tree's lock-order graph shows — confirmed (an edge the documented way), contradicted (an edge
 * the other way), both, or not observed — each with one witness place, so that a developer sees where the code
 * and the comments disagree (and where two comments disagree with each other).
 */
import { type OrderWitness, type PairStanding, pairStandings, sourceText } from '../engine/checks';
import { mdCode, mdText } from './markdown';

export type Standing = 'confirmed' | 'contradicted' | 'both ways' | 'not observed';

export function standingOf(s: PairStanding): Standing {
  if (s.along.length && s.against.length) return 'both ways';
  if (s.against.length) return 'contradicted';
  return s.along.length ? 'confirmed' : 'not observed';
}

/** The edge a listing shows for a set of instances: the shortest witness, then the earliest place. */
function shortest(ws: readonly OrderWitness[]): OrderWitness | undefined {
  return [...ws].sort((a, b) => a.path.length - b.path.length || a.file.localeCompare(b.file) || a.line - b.line)[0];
}

/** One witness in a line (the tree's names are text, never Markdown or HTML). */
const place = (w: OrderWitness) =>
  `${mdText(`${w.file}:${w.line} ${w.fn}()`)}: ${mdCode(w.taken)} (${mdCode(w.to)}) taken while ` +
  `${mdCode(w.held)} (${mdCode(w.from)}) is held, ${w.path.length} step${w.path.length === 1 ? '' : 's'}`;

/** Counts per standing, for the summary line. */
export function standingCounts(list: readonly PairStanding[]): Record<Standing, number> {
  const out: Record<Standing, number> = { confirmed: 0, contradicted: 0, 'both ways': 0, 'not observed': 0 };
  for (const s of list) out[standingOf(s)]++;
  return out;
}

/** The listing in Markdown: a summary, then the disagreements first, then the rest. */
export function documentedOrdersMarkdown(witnesses: readonly OrderWitness[]): string {
  const list = pairStandings(witnesses);
  const c = standingCounts(list);
  const rank: Record<Standing, number> = { contradicted: 0, 'both ways': 1, confirmed: 2, 'not observed': 3 };
  const sorted = [...list].sort((a, b) => rank[standingOf(a)] - rank[standingOf(b)]);
  const out = [
    '# Documented lock orders against the code',
    '',
    `${list.length} documented pairs: ${c.confirmed} confirmed, ${c.contradicted} contradicted, ` +
      `${c['both ways']} seen both ways, ${c['not observed']} not observed ` +
      `(${list.filter((s) => s.disputed).length} disputed: another document states the other order).`,
    '',
  ];
  for (const s of sorted) {
    const p = s.pair;
    out.push(`## ${standingOf(s)}: ${mdCode(p.outer)} before ${mdCode(p.inner)}${p.fs ? ` (${p.fs})` : ''}`, '');
    for (const d of p.sources) out.push(`- documented: ${sourceText(d)}: ${d.says}`);
    if (s.disputed) out.push('- disputed: another document of the same scope orders these two the other way');
    if (s.overridden.length) out.push(`- ${s.overridden.join(', ')}: its own document orders these two the other way`);
    const along = shortest(s.along);
    const against = shortest(s.against);
    if (along)
      out.push(`- confirmed by ${s.along.length} edge${s.along.length === 1 ? '' : 's'}, e.g. ${place(along)}`);
    if (against)
      out.push(
        `- contradicted by ${s.against.length} edge${s.against.length === 1 ? '' : 's'}, e.g. ${place(against)}`,
      );
    if (!along && !against)
      out.push(
        s.unseen.length
          ? `- not observed: no edge names ${s.unseen.map(mdCode).join(' or ')}`
          : '- not observed: both locks are seen, never one under the other',
      );
    out.push('');
  }
  return out.join('\n');
}
