/**
 * Freeze protection (include/linux/fs.h) as locks: each level is a per-cpu rwsem taken for read by writers to
 * the filesystem and for write by freeze_super(), which waits for every holder; lockdep sees them as
 * sb_writers, sb_pagefaults and sb_internal, per filesystem type (syntax/lockclass.ts PER_FS_TYPE).
 *
 * Not modelled (yet): `sb_start_intwrite()`, which a transaction takes and its handle ends at commit (an owner
 * object, as `xfs_trans_ijoin()`'s, but one the catalog cannot name), and `mnt_want_write()`, whose result
 * callers keep in flags (`got_write`, `fh_want_write`) the engine does not correlate: on Linux 6.1 both gave
 * false lock-imbalance findings and no true one.
 */
import type { FlagLock, LockPrimitive } from './catalog';

/** The levels modelled (SB_FREEZE_WRITE, _PAGEFAULT less one), their lockdep names, start/end/trylock. */
const LEVELS: [number, string, string[]][] = [
  [0, 'sb_writers', ['sb_start_write', 'sb_end_write', 'sb_start_write_trylock']],
  [1, 'sb_pagefaults', ['sb_start_pagefault', 'sb_end_pagefault']],
];

const lockOf = (level: number) => `{arg}->s_writers.rw_sem[${level}]`;

/** A freeze level given as an argument (`__sb_writers_release(sb, SB_FREEZE_WRITE)`). */
const BITS: Record<string, FlagLock> = Object.fromEntries(
  (
    [
      ['SB_FREEZE_WRITE', 0, 'sb_writers'],
      ['SB_FREEZE_PAGEFAULT', 1, 'sb_pagefaults'],
      ['SB_FREEZE_FS', 2, 'sb_internal'],
    ] as const
  ).map(([bit, level, cls]) => [
    bit,
    { lock: lockOf(level), mode: 'shared', kind: 'percpu-rwsem', class: `struct super_block::${cls}` },
  ]),
);

const shared = (name: string, op: 'acquire' | 'release' | 'trylock', lock: string, cls: string): LockPrimitive => ({
  name,
  op,
  kind: 'percpu-rwsem',
  mode: 'shared',
  lock,
  class: cls,
  ...(op === 'trylock' ? { success: 'nonzero' as const } : {}),
});

export const FREEZE_PRIMITIVES: LockPrimitive[] = [
  ...LEVELS.flatMap(([level, cls, [start, end, trylock]]) => [
    shared(start, 'acquire', lockOf(level), `struct super_block::${cls}`),
    shared(end, 'release', lockOf(level), `struct super_block::${cls}`),
    ...(trylock ? [shared(trylock, 'trylock', lockOf(level), `struct super_block::${cls}`)] : []),
  ]),
  // file_start_write() protects the file's filesystem against freezing (for regular files)
  shared(
    'file_start_write',
    'acquire',
    'file_inode({arg})->i_sb->s_writers.rw_sem[0]',
    'struct super_block::sb_writers',
  ),
  shared('file_end_write', 'release', 'file_inode({arg})->i_sb->s_writers.rw_sem[0]', 'struct super_block::sb_writers'),
  // an asynchronous write hands its freeze protection to its completion: still held here, released by its new
  // owner. The completion's `__sb_writers_acquired()` (for lockdep, on regular files only) is no acquisition:
  // the completion ends a protection it was handed, as a function releasing its caller's lock does
  { name: '__sb_writers_release', op: 'handoff', kind: 'percpu-rwsem', arg: 0, flags: { arg: 1, bits: BITS } },
];
