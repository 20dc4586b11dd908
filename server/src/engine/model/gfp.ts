/**
 * Allocation flags (`gfp_t`): whether an allocation may block, read from the text of its flags argument. A
 * constant says so by itself; flags that come from a variable (a helper's `gfp_t gfp` parameter) are decided
 * where the helper is called, with the caller's argument in their place: a sleep under such flags is a sleep
 * under the guard `gfpflags_allow_blocking(flags)` (absint/guard.ts), as the kernel itself writes the test.
 */
import { BLOCKING_GFP } from './effects';

/** Flags with direct reclaim masked out (`GFP_KERNEL & ~__GFP_DIRECT_RECLAIM`) never block. */
const RECLAIM_MASKED = /~\s*\(?\s*__GFP_(DIRECT_)?RECLAIM\b/;

/** An identifier that is not a constant's (macros are upper case): the flags depend on a variable or a call. */
const VARIABLE = /(?<![A-Za-z0-9_])(?![A-Z_][A-Z0-9_]*(?![A-Za-z0-9_]))[A-Za-z_]\w*/;

/**
 * May an allocation with flags `text` block? True for GFP_KERNEL, GFP_NOFS, GFP_NOIO ... (not with direct
 * reclaim masked out), false for constants that do not (GFP_ATOMIC, GFP_NOWAIT), undefined when the flags
 * are a variable's (or a call's) and only the caller's value decides.
 */
export function gfpBlocks(text: string): boolean | undefined {
  if (RECLAIM_MASKED.test(text)) return false;
  if (BLOCKING_GFP.test(text)) return true;
  return VARIABLE.test(text) ? undefined : false;
}

/** The test that flags `flags` (a normalised text) allow blocking, as a guard or fact text. */
export function blockingTest(flags: string): string {
  return `gfpflags_allow_blocking(${flags})`;
}

/**
 * The flags a test says allow blocking: `gfpflags_allow_blocking(gfp)`, `gfp&__GFP_DIRECT_RECLAIM` (read as
 * true exactly when the flags may block); undefined for any other test.
 */
export function blockingFlags(test: string): string | undefined {
  const m = /^gfpflags_allow_blocking\((.+)\)$/.exec(test) ?? /^\(?(.+?)\)?&__GFP_(?:DIRECT_)?RECLAIM$/.exec(test);
  return m?.[1];
}

/** Flags as a person reads them: `GFP_NOFS | __GFP_ZERO` rather than `((GFP_NOFS)|__GFP_ZERO)`. */
export function gfpText(text: string): string {
  return /^[\w\s|()]+$/.test(text)
    ? text
        .replace(/[()\s]/g, '')
        .split('|')
        .join(' | ')
    : text;
}
