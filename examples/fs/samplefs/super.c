// SPDX-License-Identifier: GPL-2.0
/*
 * samplefs superblock: commit of dirty inodes, statistics, unmount.
 */
#include <linux/lockstubs.h>
#include "samplefs.h"

static int samplefs_write_one(struct samplefs_inode_info *si)
{
	return si->i_disk_bytenr ? 0 : -EIO;
}

/*
 * Write back every dirty inode.  The list lock is dropped around each
 * write, so the walk restarts from the head each time.
 */
int samplefs_commit(struct super_block *sb)
{
	struct samplefs_sb_info *sbi = SAMPLEFS_SB(sb);
	struct samplefs_inode_info *si, *tmp;
	int ret = 0;

	mutex_lock(&sbi->s_commit_mutex);
	spin_lock(&sbi->s_inode_list_lock);
	list_for_each_entry_safe(si, tmp, &sbi->s_dirty_inodes, i_dirty_list) {
		list_del_init(&si->i_dirty_list);
		spin_unlock(&sbi->s_inode_list_lock);

		ret = samplefs_write_one(si);

		spin_lock(&sbi->s_inode_list_lock);
		if (ret)
			break;
	}
	spin_unlock(&sbi->s_inode_list_lock);
	mutex_unlock(&sbi->s_commit_mutex);
	return ret;
}

static void samplefs_lock_list(struct samplefs_sb_info *sbi)
	__acquires(&sbi->s_inode_list_lock)
{
	spin_lock(&sbi->s_inode_list_lock);
}

static void samplefs_unlock_list(struct samplefs_sb_info *sbi)
	__releases(&sbi->s_inode_list_lock)
{
	spin_unlock(&sbi->s_inode_list_lock);
}

static bool samplefs_commit_trylock(struct samplefs_sb_info *sbi)
{
	return mutex_trylock(&sbi->s_commit_mutex);
}

/* Background commit: skip the round when a foreground commit runs. */
static void samplefs_commit_work(struct samplefs_sb_info *sbi)
{
	unsigned long nr = 0;
	struct samplefs_inode_info *si;

	if (!samplefs_commit_trylock(sbi))
		return;

	samplefs_lock_list(sbi);
	list_for_each_entry(si, &sbi->s_dirty_inodes, i_dirty_list) {
		nr++;
	}
	samplefs_unlock_list(sbi);

	if (nr)
		pr_debug("samplefs: %lu dirty inodes\n", nr);
	mutex_unlock(&sbi->s_commit_mutex);
}

/* Refuse to freeze while an inode is mid-update. */
static int samplefs_freeze_fs(struct super_block *sb)
{
	struct samplefs_sb_info *sbi = SAMPLEFS_SB(sb);
	struct samplefs_inode_info *si;

	spin_lock(&sbi->s_inode_list_lock);
	list_for_each_entry(si, &sbi->s_dirty_inodes, i_dirty_list) {
		if (si->i_state & SAMPLEFS_INODE_FROZEN) {
			pr_info("samplefs: inode %lu busy\n", si->vfs_inode.i_ino);
			return -EBUSY; /* expect: lock-imbalance */
		}
	}
	spin_unlock(&sbi->s_inode_list_lock);

	return samplefs_commit(sb);
}

static int samplefs_sync_fs(struct super_block *sb, int wait)
{
	struct samplefs_sb_info *sbi = SAMPLEFS_SB(sb);
	unsigned long nr = 0;
	struct samplefs_inode_info *si;

	if (wait)
		mutex_lock(&sbi->s_commit_mutex);

#ifdef CONFIG_SAMPLEFS_STATS
	spin_lock(&sbi->s_inode_list_lock);
#endif
	list_for_each_entry(si, &sbi->s_dirty_inodes, i_dirty_list)
		nr++;
#ifdef CONFIG_SAMPLEFS_STATS
	spin_unlock(&sbi->s_inode_list_lock);
#endif

	if (wait)
		mutex_unlock(&sbi->s_commit_mutex);
	return nr ? samplefs_commit(sb) : 0;
}

/* Caller holds s_commit_mutex. */
static void samplefs_flush_dirty_locked(struct samplefs_sb_info *sbi)
{
	lockdep_assert_held(&sbi->s_commit_mutex);

	spin_lock(&sbi->s_inode_list_lock);
	sbi->s_free_blocks = 0;
	spin_unlock(&sbi->s_inode_list_lock);
}

static void samplefs_put_super(struct super_block *sb)
{
	struct samplefs_sb_info *sbi = SAMPLEFS_SB(sb);

	mutex_lock(&sbi->s_commit_mutex);
	if (list_empty(&sbi->s_dirty_inodes))
		return; /* expect: lock-imbalance */

	samplefs_flush_dirty_locked(sbi);
	mutex_unlock(&sbi->s_commit_mutex);
	kfree(sbi);
}

static void samplefs_show_stats(struct super_block *sb)
{
	struct samplefs_sb_info *sbi = SAMPLEFS_SB(sb);

	rcu_read_lock();
	rcu_read_lock();	/* nested readers are fine */
	pr_info("samplefs: %lu free\n", sbi->s_free_blocks);
	rcu_read_unlock();
	rcu_read_unlock();
}

static const struct super_operations samplefs_super_ops = {
	.evict_inode	= samplefs_evict_inode,
	.sync_fs	= samplefs_sync_fs,
	.put_super	= samplefs_put_super,
};

/* Statistics refresh: drops the commit mutex one call too early. */
static void samplefs_refresh(struct samplefs_sb_info *sbi)
{
	mutex_lock(&sbi->s_commit_mutex);
	sbi->s_free_blocks = 0;
	mutex_unlock(&sbi->s_commit_mutex);
	samplefs_flush_dirty_locked(sbi); /* expect: missing-required-lock */
}

/* Reserve space for the orphan list: allocates with GFP_KERNEL under the spinlock. */
static int samplefs_reserve_orphans(struct samplefs_sb_info *sbi, int nr)
{
	void *buf;

	spin_lock(&sbi->s_inode_list_lock);
	buf = kmalloc(nr * 16, GFP_KERNEL); /* expect: sleep-in-atomic */
	if (buf)
		sbi->s_free_blocks -= nr;
	spin_unlock(&sbi->s_inode_list_lock);
	kfree(buf);
	return buf ? 0 : -ENOMEM;
}

/* Account one inode's blocks in the commit log; eviction does it for an inode still dirty. */
void samplefs_log_inode(struct samplefs_sb_info *sbi, struct samplefs_inode_info *si)
{
	mutex_lock(&sbi->s_commit_mutex);
	if (!si->i_disk_bytenr)
		sbi->s_free_blocks++;
	mutex_unlock(&sbi->s_commit_mutex);
}

/* Grow the commit log: a GFP_KERNEL allocation under the commit mutex, which eviction takes. */
static int samplefs_grow_log(struct samplefs_sb_info *sbi, unsigned long len)
{
	void *buf;

	mutex_lock(&sbi->s_commit_mutex);
	buf = kzalloc(len, GFP_KERNEL); /* expect: reclaim-under-lock */
	if (buf)
		sbi->s_free_blocks += len;
	mutex_unlock(&sbi->s_commit_mutex);
	kfree(buf);
	return buf ? 0 : -ENOMEM;
}

int samplefs_remount_log(struct super_block *sb, unsigned long len)
{
	return samplefs_grow_log(SAMPLEFS_SB(sb), len);
}
