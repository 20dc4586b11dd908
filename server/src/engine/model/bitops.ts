/**
 * The kernel's bit operations on a word of flags (include/asm-generic/bitops/, include/linux/bitops.h): what
 * each leaves in the bit it is given, set (true), clear (false) or flipped (undefined, forgotten). The bit is
 * read by `test_bit(nr, addr)`, the fact text a store names: after `set_bit(F, &p->flags)`, a later
 * `test_bit(F, &p->flags)` reads true (as a store to a field decides a later test of that field).
 */
export const BIT_STORES: ReadonlyMap<string, boolean | undefined> = new Map<string, boolean | undefined>([
  ['set_bit', true],
  ['__set_bit', true],
  ['test_and_set_bit', true],
  ['__test_and_set_bit', true],
  ['test_and_set_bit_lock', true],
  ['clear_bit', false],
  ['__clear_bit', false],
  ['clear_bit_unlock', false],
  ['__clear_bit_unlock', false],
  ['test_and_clear_bit', false],
  ['__test_and_clear_bit', false],
  ['change_bit', undefined],
  ['__change_bit', undefined],
  ['test_and_change_bit', undefined],
  ['__test_and_change_bit', undefined],
  ['assign_bit', undefined],
  ['__assign_bit', undefined],
]);

/** The test a bit store decides. */
export const BIT_TEST = 'test_bit';
