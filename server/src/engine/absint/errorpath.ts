/**
 * Error paths: a point every path reaches only after finding an error (`if (ret)`, `if (ret < 0)`,
 * `if (IS_ERR(p))`). A lock-order chain through one needs the error to happen: it is less likely to meet its
 * other half (a confidence, never a reason to drop a finding).
 */
import type { Facts } from './domain';

/** Names the kernel gives an int holding an errno (a convention of the whole tree, not of one filesystem). */
const ERRNO_VAR = /^(ret|err|error|rc|retval|status)$/;

/** Does the fact `text` = `value` say an error was found? */
export function errorFact(text: string, value: boolean): boolean {
  const t = text.replace(/^unlikely\((.*)\)$/, '$1');
  if (/^IS_ERR(_OR_NULL)?\(.*\)$/.test(t)) return value;
  if (/^[A-Za-z_]\w*<0$/.test(t)) return value;
  if (/^[A-Za-z_]\w*>=0$/.test(t)) return !value;
  if (ERRNO_VAR.test(t)) return value;
  return false;
}

/**
 * Is every path to this state one that found an error? A variable set to a constant (`int ret = -EINVAL;`, a
 * default for the exits) is not an error found: the fact is there with its constant.
 */
export function onErrorPath(facts: Facts): boolean {
  if (!facts.conj.length) return false;
  return facts.conj.every((c) =>
    [...c].some(([k, v]) => errorFact(k, v) && ![...c.keys()].some((o) => o.startsWith(`${k}==`))),
  );
}
