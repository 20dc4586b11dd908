// SPDX-License-Identifier: GPL-2.0
/*
 * An allocation under a lock that inode eviction takes (lockscope test tree,
 * own writing). plover keeps orphaned inodes on a per-superblock list under
 * a mutex, and ->evict_inode takes that mutex to remove the inode; reclaim
 * evicts unused inodes, so a GFP_KERNEL allocation made with the orphan mutex
 * held may recurse into the mutex through the superblock shrinker. The twins
 * allocate with GFP_NOFS, inside a memalloc_nofs_save() scope, under the
 * inode's own truncate mutex, which eviction takes only on the inode it
 * evicts (one no other task holds), or under the free-space mutex, which
 * eviction takes only for an inode without links: reclaim never evicts one
 * of those, since the last iput() of a deleted inode evicts it at once.
 */
#include <linux/fs.h>

struct plover_sb_info {
	struct mutex	orphan_mutex;
	unsigned long	orphan_count;
	struct mutex	free_mutex;
	unsigned long	free_blocks;
};

struct plover_inode {
	struct mutex	truncate_mutex;
	struct inode	vfs_inode;
};

struct plover_orphan {
	unsigned long	seq;
};

static inline struct plover_sb_info *PLOVER_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline struct plover_inode *PLOVER_I(struct inode *inode)
{
	return container_of(inode, struct plover_inode, vfs_inode);
}

int plover_orphan_add(struct inode *inode)
{
	struct plover_sb_info *sbi = PLOVER_SB(inode->i_sb);
	struct plover_orphan *o;

	mutex_lock(&sbi->orphan_mutex);
	o = kmalloc(sizeof(*o), GFP_KERNEL); /* expect: reclaim-under-lock */
	if (!o) {
		mutex_unlock(&sbi->orphan_mutex);
		return -ENOMEM;
	}
	o->seq = ++sbi->orphan_count;
	mutex_unlock(&sbi->orphan_mutex);
	return 0;
}

int plover_orphan_add_nofs(struct inode *inode)
{
	struct plover_sb_info *sbi = PLOVER_SB(inode->i_sb);
	struct plover_orphan *o;

	mutex_lock(&sbi->orphan_mutex);
	o = kmalloc(sizeof(*o), GFP_NOFS);
	if (o)
		sbi->orphan_count++;
	mutex_unlock(&sbi->orphan_mutex);
	return o ? 0 : -ENOMEM;
}

static void *plover_alloc_record(size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

int plover_orphan_add_scoped(struct inode *inode)
{
	struct plover_sb_info *sbi = PLOVER_SB(inode->i_sb);
	unsigned int nofs;
	void *rec;

	nofs = memalloc_nofs_save();
	mutex_lock(&sbi->orphan_mutex);
	rec = plover_alloc_record(64);
	sbi->orphan_count++;
	mutex_unlock(&sbi->orphan_mutex);
	memalloc_nofs_restore(nofs);
	kfree(rec);
	return 0;
}

int plover_setsize(struct inode *inode)
{
	struct plover_inode *pi = PLOVER_I(inode);
	void *map;

	mutex_lock(&pi->truncate_mutex);
	map = plover_alloc_record(128);
	mutex_unlock(&pi->truncate_mutex);
	kfree(map);
	return map ? 0 : -ENOMEM;
}

int plover_free_range(struct super_block *sb, unsigned long n)
{
	struct plover_sb_info *sbi = PLOVER_SB(sb);
	void *ext;

	mutex_lock(&sbi->free_mutex);
	ext = kmalloc(n, GFP_KERNEL);
	sbi->free_blocks += n;
	mutex_unlock(&sbi->free_mutex);
	kfree(ext);
	return 0;
}

static void plover_evict_inode(struct inode *inode)
{
	struct plover_sb_info *sbi = PLOVER_SB(inode->i_sb);

	if (!inode->i_nlink) {
		mutex_lock(&sbi->free_mutex);
		sbi->free_blocks++;
		mutex_unlock(&sbi->free_mutex);
	}

	mutex_lock(&PLOVER_I(inode)->truncate_mutex);
	mutex_unlock(&PLOVER_I(inode)->truncate_mutex);
	mutex_lock(&sbi->orphan_mutex);
	sbi->orphan_count--;
	mutex_unlock(&sbi->orphan_mutex);
	clear_inode(inode);
}

static const struct super_operations plover_sops = {
	.evict_inode	= plover_evict_inode,
};
