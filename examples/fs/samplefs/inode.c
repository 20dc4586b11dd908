// SPDX-License-Identifier: GPL-2.0
/*
 * samplefs inode handling: lookup, write-back and eviction.
 */
#include <linux/lockstubs.h>
#include "samplefs.h"

/*
 * Look an inode up in the sb's dirty list.  Returns with s_inode_list_lock
 * held when an inode was found, and without it when the list had none.
 */
static struct samplefs_inode_info *
samplefs_find_dirty(struct samplefs_sb_info *sbi, unsigned long ino)
{
	struct samplefs_inode_info *si;

	spin_lock(&sbi->s_inode_list_lock);
	list_for_each_entry(si, &sbi->s_dirty_inodes, i_dirty_list) {
		if (si->vfs_inode.i_ino == ino)
			return si;
	}
	spin_unlock(&sbi->s_inode_list_lock);
	return NULL;
}

static int samplefs_read_disk_inode(struct inode *inode)
{
	struct samplefs_inode_info *si = SAMPLEFS_I(inode);

	if (!si->i_disk_bytenr)
		return -EIO;
	inode->i_size = 0;
	return 0;
}

struct inode *samplefs_iget(struct super_block *sb, unsigned long ino)
{
	struct samplefs_sb_info *sbi = SAMPLEFS_SB(sb);
	struct samplefs_inode_info *si;
	struct inode *inode;
	int ret;

	si = samplefs_find_dirty(sbi, ino);
	if (si) {
		/* still dirty: it is in memory already */
		inode = &si->vfs_inode;
		spin_unlock(&sbi->s_inode_list_lock);
		return inode;
	}

	inode = new_inode(sb);
	if (!inode) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	si = SAMPLEFS_I(inode);

	mutex_lock(&si->i_extent_mutex);
	ret = samplefs_read_disk_inode(inode);
	if (ret)
		goto out_unlock;
	si->i_generation++;
	mutex_unlock(&si->i_extent_mutex);
	return inode;

out_unlock:
	mutex_unlock(&si->i_extent_mutex); /* expect: unlock-not-held */
	iput(inode);
	return ERR_PTR(ret);
}

/* Called with the extent mutex held; drops it around the allocation. */
static int samplefs_reserve_extent(struct samplefs_inode_info *si, u64 len)
{
	void *buf;

	mutex_unlock(&si->i_extent_mutex);
	buf = kmalloc(len, GFP_NOFS);
	mutex_lock(&si->i_extent_mutex);
	if (!buf)
		return -ENOMEM;
	kfree(buf);
	return 0;
}

int samplefs_write_inode(struct inode *inode, bool sync)
{
	struct samplefs_inode_info *si = SAMPLEFS_I(inode);
	int ret;

	mutex_lock(&si->i_extent_mutex);
	ret = samplefs_reserve_extent(si, 4096);
	if (ret) {
		mutex_unlock(&si->i_extent_mutex);
		return ret;
	}

	if (!si->i_disk_bytenr) {
		/* never allocated: nothing to write */
		pr_warn("samplefs: inode %lu has no disk copy\n", inode->i_ino);
		return -EIO; /* expect: lock-imbalance */
	}

	samplefs_set_state(si, SAMPLEFS_INODE_DIRTY);
	mutex_unlock(&si->i_extent_mutex);
	return 0;
}

/* Opportunistic write-back from the shrinker: never waits for the mutex. */
static int samplefs_try_writeback(struct samplefs_inode_info *si)
{
	if (!mutex_trylock(&si->i_extent_mutex))
		return -EAGAIN;

	if (samplefs_test_state(si, SAMPLEFS_INODE_FROZEN)) {
		mutex_unlock(&si->i_extent_mutex);
		return -EBUSY;
	}
	si->i_state &= ~SAMPLEFS_INODE_DIRTY;
	mutex_unlock(&si->i_extent_mutex);
	return 0;
}

void samplefs_evict_inode(struct inode *inode)
{
	struct samplefs_inode_info *si = SAMPLEFS_I(inode);
	struct samplefs_sb_info *sbi = SAMPLEFS_SB(inode->i_sb);

	if (samplefs_try_writeback(si) == -EAGAIN) {
		mutex_lock(&si->i_extent_mutex);
		si->i_state = 0;
		mutex_unlock(&si->i_extent_mutex);
	}
	/* an inode still dirty at eviction is accounted in the commit log */
	if (samplefs_test_state(si, SAMPLEFS_INODE_DIRTY))
		samplefs_log_inode(sbi, si);

	spin_lock(&sbi->s_inode_list_lock);
	list_del_init(&si->i_dirty_list);
	spin_unlock(&sbi->s_inode_list_lock);

	spin_lock(&inode->i_lock);
	inode->i_flags = 0;
	spin_unlock(&inode->i_lock);
	spin_lock(&inode->i_lock); /* second, separate critical section */
	inode->i_size = 0;
	spin_unlock(&inode->i_lock);
}
