/** Summaries computed on demand outside the bottom-up order, once each. */
import type { Summary } from './absint';

/**
 * The summary `cache` holds for `key`, else `compute()`'s, stored (a missing one as null). A call back into
 * the same key while it is computed (recursion) gets `inProgress`.
 */
export function memoSummary<K>(
  cache: Map<K, Summary | null>,
  key: K,
  compute: () => Summary | undefined,
  inProgress?: Summary,
): Summary | undefined {
  const known = cache.get(key);
  if (known !== undefined) return known ?? inProgress;
  cache.set(key, null);
  const s = compute();
  cache.set(key, s ?? null);
  return s;
}
