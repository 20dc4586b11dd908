/** Reading kernel splats (server/src/splat/parse.ts) and lockdep's lock names as lockscope classes (lockname.ts). */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot } from '../support/engine';
import { cleanLine, mapLockName, matchesClass, parseFrame, parseSplat, type Splat } from '../../server/src/splat';

const fixture = (name: string) => fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'splats', name), 'utf8');
function parsed(text: string): Splat {
  const r = parseSplat(text);
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.splat;
}

describe('lockdep: possible recursive locking', () => {
  const s = parsed(fixture('seed000-recursive.txt'));
  test('the heading, the task and both locks with the function each was taken at', () => {
    assert.equal(s.kind, 'recursive');
    assert.equal(s.title, 'possible recursive locking detected');
    assert.equal(s.line, 3);
    assert.equal(s.task, 'dsync-writer/1408');
    const [acq, held] = s.locks;
    assert.deepEqual(
      [acq.role, acq.name, acq.at?.fn, acq.at?.module],
      ['acquire', '&sb->s_type->i_mutex_key#14', 'btrfs_sync_file', 'btrfs'],
    );
    assert.deepEqual([held.role, held.at?.fn], ['held', 'btrfs_file_write_iter']);
    assert.deepEqual(
      s.held.map((h) => [h.task, h.name]),
      [['dsync-writer/1408', '&sb->s_type->i_mutex_key#14']],
    );
  });
  test('one backtrace, innermost first; `? ` frames are unreliable, timestamps and offsets are gone', () => {
    assert.equal(s.stacks.length, 1);
    const f = s.stacks[0].frames;
    assert.equal(f[0].fn, 'dump_stack');
    assert.equal(f[1].fn, '__lock_acquire', '.cold is the same function');
    assert.deepEqual(
      f.filter((x) => x.unreliable).map((x) => x.fn),
      ['iomap_dio_complete', 'btrfs_sync_file', 'btrfs_sync_file', 'lock_is_held_type'],
    );
    const reliable = f.filter((x) => !x.unreliable).map((x) => x.fn);
    assert.deepEqual(reliable.slice(4, 10), [
      'btrfs_sync_file',
      'vfs_fsync_range',
      'iomap_dio_complete',
      'iomap_dio_rw',
      '__btrfs_direct_write',
      'btrfs_file_write_iter',
    ]);
  });
});

describe('lockdep: possible circular locking dependency', () => {
  const s = parsed(fixture('order-circular.txt'));
  test('the dependency chain: one trace per entry, with its lock; the backtrace after them', () => {
    assert.equal(s.kind, 'circular');
    assert.deepEqual(
      s.stacks.map((x) => [x.label, x.lock ?? '']),
      [
        ['dependency chain #1', '&sbi->orphan_lock'],
        ['dependency chain #0', '&type->i_mutex_dir_key#6/1'],
        ['stack backtrace', ''],
      ],
    );
    assert.equal(s.stacks[0].frames[1].fn, 'sorrel_unorphan', '.isra.0 is the same function');
    assert.deepEqual(
      s.locks.map((l) => l.role),
      ['acquire', 'held', 'chain', 'chain'],
    );
  });
});

describe('hung task', () => {
  const s = parsed(fixture('dio-range-hung-task.txt'));
  test('syslog prefixes and timestamps are read through; the task, its trace and the held locks', () => {
    assert.equal(s.kind, 'hung-task');
    assert.equal(s.task, 'dio-reader:2210');
    assert.equal(s.pid, 2210);
    assert.equal(s.stacks.length, 1);
    assert.equal(s.stacks[0].frames[0].fn, '__schedule');
    assert.equal(s.stacks[0].frames.at(-1)?.fn, 'entry_SYSCALL_64_after_hwframe');
    assert.deepEqual(
      s.held.map((h) => [h.task, h.name]),
      [
        ['khungtaskd/41', 'rcu_read_lock'],
        ['buf-writer/2214', 'sb_writers#12'],
      ],
    );
  });
});

describe('the other lockdep reports', () => {
  test('irq lock inversion: the lock whose state changed and the other one', () => {
    const s = parsed(
      [
        'WARNING: possible irq lock inversion dependency detected',
        'swapper/0/0 just changed the state of lock:',
        'ffff88800a1b2c30 (&qp->q_lock){..-.}-{2:2}, at: quill_end_io+0x21/0x80',
        'but this lock took another, SOFTIRQ-unsafe lock in the past:',
        ' (&qp->stat_lock){+.+.}-{2:2}',
        'stack backtrace:',
        ' quill_end_io+0x21/0x80',
        ' blk_update_request+0x1f0/0x400',
      ].join('\n'),
    );
    assert.equal(s.kind, 'irq-inversion');
    assert.deepEqual(
      s.locks.map((l) => [l.role, l.name]),
      [
        ['held', '&qp->q_lock'],
        ['other', '&qp->stat_lock'],
      ],
    );
    assert.equal(s.stacks[0].frames.length, 2);
  });
  test('inconsistent lock state: the lock, and where the other state was registered', () => {
    const s = parsed(
      [
        '================================',
        'WARNING: inconsistent lock state',
        '--------------------------------',
        'inconsistent {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W} usage.',
        'kworker/1:2/88 [HC0[0]:SC0[0]:HE1:SE1] takes:',
        'ffff8880 (&wren->lock){+.?.}-{2:2}, at: wren_flush+0x12/0x60',
        '{IN-SOFTIRQ-W} state was registered at:',
        '  lock_acquire+0xc8/0x2f0',
        '  wren_timer+0x20/0x50',
        'stack backtrace:',
        ' wren_flush+0x12/0x60',
      ].join('\n'),
    );
    assert.equal(s.kind, 'inconsistent');
    assert.equal(s.task, 'kworker/1:2/88');
    assert.deepEqual(
      s.locks.map((l) => [l.role, l.at?.fn]),
      [['acquire', 'wren_flush']],
    );
    assert.deepEqual(
      s.stacks.map((x) => x.label),
      ['{IN-SOFTIRQ-W} state was registered at', 'stack backtrace'],
    );
  });
  test('only the first of several reports is read, with a warning', () => {
    const one = fixture('seed000-recursive.txt');
    const r = parseSplat(`${one}\n${one}`);
    assert.ok(r.ok);
    assert.match(r.warnings.join('\n'), /another report begins here; only the first \(line 3\) is read/);
  });
});

describe('lines', () => {
  test('prefixes', () => {
    assert.equal(cleanLine('[   12.345678] WARNING: x'), 'WARNING: x');
    assert.equal(cleanLine('[   12.345678][ T1408] lock_acquire+0x1/0x2'), 'lock_acquire+0x1/0x2');
    assert.equal(cleanLine('<4>[    1.000000] Call Trace:\r'), 'Call Trace:');
    assert.equal(cleanLine('2026-12-03T15:02:11.123456+00:00 vm kernel: INFO: task'), 'INFO: task');
  });
  test('frames', () => {
    assert.deepEqual(parseFrame(' ? btrfs_sync_file.cold+0xf7/0x560 [btrfs]', 1), {
      fn: 'btrfs_sync_file',
      text: 'btrfs_sync_file.cold+0xf7/0x560 [btrfs]',
      module: 'btrfs',
      unreliable: true,
      line: 1,
    });
    assert.equal(parseFrame(' [<ffffffff8120a1b3>] vfs_write+0x1c6/0x2a0', 2)?.fn, 'vfs_write');
    assert.equal(parseFrame('  ext4_map_blocks.constprop.0+0x1/0x2', 3)?.fn, 'ext4_map_blocks');
    assert.equal(parseFrame('RIP: 0010:foo+0x1/0x2', 4), undefined);
    assert.equal(parseFrame('this is not a frame', 5), undefined);
  });
});

describe('input that holds no splat', () => {
  for (const [what, text, re] of [
    ['empty', '', /no lockdep report or hung-task trace found/],
    ['prose', 'the quick brown fox\njumps over 0x1/0x2', /no lockdep report or hung-task trace found/],
    ['binary', 'WARNING: possible recursive locking detected\0\0', /binary/],
    ['a heading and nothing after it', 'WARNING: possible recursive locking detected\n\n', /no lock and no call trace/],
    ['too large', 'x'.repeat(8 * 1024 * 1024 + 1), /at most/],
  ] as const) {
    test(what, () => {
      const r = parseSplat(text);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.message, re);
    });
  }
  test('a mangled splat never throws (every line cut, shuffled or doubled)', () => {
    const lines = fixture('order-circular.txt').split('\n');
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    for (let i = 0; i < 300; i++) {
      const out = lines.map((l) => (rnd() < 0.2 ? l.slice(0, Math.floor(rnd() * l.length)) : l));
      if (rnd() < 0.5) out.sort(() => rnd() - 0.5);
      const r = parseSplat(out.join(rnd() < 0.5 ? '\n' : '\r\n'));
      assert.ok(r.ok || typeof r.message === 'string');
    }
  });
  test('a runaway log is bounded: frames per trace and traces per report', () => {
    const frames = Array.from({ length: 5000 }, (_, i) => ` f${i}+0x1/0x2`).join('\n');
    const chain = Array.from({ length: 100 }, (_, i) => `-> #${i} (&x->l${i}){+.+.}-{3:3}:\n  g${i}+0x1/0x2`).join(
      '\n',
    );
    const r = parseSplat(
      `WARNING: possible circular locking dependency detected\n${chain}\nstack backtrace:\n${frames}\n`,
    );
    assert.ok(r.ok);
    assert.equal(r.splat.stacks.length, 32);
    const many = parseSplat(`WARNING: possible recursive locking detected\nstack backtrace:\n${frames}\n`);
    assert.ok(many.ok);
    assert.equal(many.splat.stacks[0].frames.length, 200);
    assert.match(many.warnings.join('\n'), /more than 200 frames was cut/);
  });
  test('a lock line with a name that is one parenthesis', () => {
    const r = parseSplat(
      'WARNING: possible recursive locking detected\nx/1 is trying to acquire lock:\nffff8880 ((){+.+.}\n',
    );
    assert.ok(!r.ok || r.splat.locks.length <= 1);
  });
});

describe('lockdep names as lockscope classes', () => {
  test('the rules', () => {
    const inode = mapLockName('&sb->s_type->i_mutex_key#14');
    assert.deepEqual(
      [inode.key, inode.cls, inode.subclass],
      ['&sb->s_type->i_mutex_key', 'struct inode::i_rwsem', undefined],
    );
    const dir = mapLockName('&type->i_mutex_dir_key#6/1');
    assert.deepEqual([dir.cls, dir.subclass], ['struct inode::i_rwsem', 1]);
    assert.equal(mapLockName('&type->s_umount_key#25').cls, 'struct super_block::s_umount');
    assert.equal(mapLockName('mapping.invalidate_lock#2').cls, 'struct address_space::invalidate_lock');
    const data = mapLockName('&ei->i_data_sem/1');
    assert.deepEqual([data.field, data.subclass], ['i_data_sem', 1]);
    assert.equal(mapLockName('(&(&wb->dwork)->work)').field, 'work');
    assert.match(mapLockName('(work_completion)(&(&wb->dwork)->work)').pseudo ?? '', /work item/);
    assert.match(mapLockName('sb_writers#3').pseudo ?? '', /freeze protection/);
    assert.match(mapLockName('rcu_read_lock').pseudo ?? '', /RCU/);
    assert.equal(mapLockName('cgroup_mutex').field, 'cgroup_mutex');
  });
  test('matching classes: per filesystem and subclass', () => {
    const dir = mapLockName('&type->i_mutex_dir_key#6/1');
    assert.ok(matchesClass(dir, 'struct inode::i_rwsem/I_MUTEX_PARENT (fs/sorrel)'));
    assert.ok(matchesClass(dir, 'struct inode::i_rwsem/1 (fs/ext4)'));
    assert.ok(!matchesClass(dir, 'struct inode::i_rwsem/I_MUTEX_CHILD (fs/sorrel)'));
    assert.ok(matchesClass(dir, 'struct inode::i_rwsem (fs/sorrel)'), 'a class without a subclass may be it');
    assert.ok(!matchesClass(dir, 'struct super_block::s_umount (fs/sorrel)'));
    const data = mapLockName('&ei->i_data_sem/1');
    assert.ok(matchesClass(data, 'struct ext4_inode_info::i_data_sem/1'));
    assert.ok(!matchesClass(data, 'struct ext4_inode_info::i_data_sem_2'));
    assert.ok(matchesClass(mapLockName('&sbi->orphan_lock'), null, '&sbi->orphan_lock'));
    assert.ok(!matchesClass(mapLockName('sb_writers'), 'struct super_block::s_writers'));
  });
});
