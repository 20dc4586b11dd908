// SPDX-License-Identifier: GPL-2.0
/*
 * Callers, two files above what they need: the facts cross every call. The
 * ioctl is a method the VFS calls with no lock of quill's held, so the
 * journal's commit mutex it forgets is missing there; a fast path that skips
 * the mutex the slow path takes is missing it too. The other callers take it,
 * or hold a spinlock across helpers that sleep (reported) or pass GFP_NOWAIT
 * down (not reported).
 */
#include "quill.h"

#define QUILL_IOC_DIRTY	1
#define QUILL_IOC_SYNC	2

static long quill_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct quill_sb_info *sbi = file->private_data;

	switch (cmd) {
	case QUILL_IOC_DIRTY:
		quill_mark_block_dirty(sbi, arg); /* expect: missing-required-lock */
		return 0;
	case QUILL_IOC_SYNC:
		quill_sync_blocks(sbi);
		return 0;
	}
	return -ENOTTY;
}

/* fine: takes the journal's mutex around the helper */
static int quill_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct quill_sb_info *sbi = file->private_data;

	mutex_lock(&sbi->journal->commit_mutex);
	quill_mark_block_dirty(sbi, 1);
	mutex_unlock(&sbi->journal->commit_mutex);
	return 0;
}

/* the fast path forgot it, two files above the assert */
void quill_dirty_range(struct quill_sb_info *sbi, int nr, bool fast)
{
	if (!fast) {
		mutex_lock(&sbi->journal->commit_mutex);
		quill_mark_block_dirty(sbi, nr);
		mutex_unlock(&sbi->journal->commit_mutex);
		return;
	}
	quill_mark_block_dirty(sbi, nr); /* expect: missing-required-lock */
}

/* fine: both paths hold it */
void quill_dirty_range_ok(struct quill_sb_info *sbi, int nr, bool fast)
{
	mutex_lock(&sbi->journal->commit_mutex);
	if (fast)
		quill_mark_block_dirty(sbi, 1);
	else
		quill_mark_block_dirty(sbi, nr);
	mutex_unlock(&sbi->journal->commit_mutex);
}

const struct file_operations quill_file_operations = {
	.unlocked_ioctl	= quill_ioctl,
	.fsync		= quill_fsync,
};

int quill_alloc_blocks(struct quill_sb_info *sbi, int nr)
{
	int err = 0;

	spin_lock(&sbi->stat_lock);
	while (nr-- > 0 && !err)
		err = quill_reserve(sbi, GFP_KERNEL); /* expect: sleep-in-atomic */
	spin_unlock(&sbi->stat_lock);
	return err;
}

/* fine: the same helpers with flags that never block */
int quill_alloc_blocks_atomic(struct quill_sb_info *sbi, int nr)
{
	int err = 0;

	spin_lock(&sbi->stat_lock);
	while (nr-- > 0 && !err)
		err = quill_reserve(sbi, GFP_NOWAIT);
	spin_unlock(&sbi->stat_lock);
	return err;
}

void quill_statfs_sync(struct quill_sb_info *sbi)
{
	spin_lock(&sbi->stat_lock);
	quill_sync_blocks(sbi); /* expect: sleep-in-atomic */
	spin_unlock(&sbi->stat_lock);
}
