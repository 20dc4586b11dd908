/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SAMPLEFS_H
#define _SAMPLEFS_H

#include <linux/lockstubs.h>

#define SAMPLEFS_INODE_DIRTY	0x1
#define SAMPLEFS_INODE_FROZEN	0x2

struct samplefs_sb_info {
	struct mutex		s_commit_mutex;
	spinlock_t		s_inode_list_lock;
	struct list_head	s_dirty_inodes;
	unsigned long		s_free_blocks;
	unsigned int		s_mount_opt;
};

struct samplefs_inode_info {
	struct inode		vfs_inode;
	struct mutex		i_extent_mutex;
	spinlock_t		i_state_lock;
	struct list_head	i_dirty_list;
	unsigned long		i_state;
	u64			i_disk_bytenr;
	unsigned int		i_generation;
};

#define SAMPLEFS_I(inode) \
	container_of(inode, struct samplefs_inode_info, vfs_inode)
#define SAMPLEFS_SB(sb) ((struct samplefs_sb_info *)(sb)->s_fs_info)

/* Mark an inode dirty; the per-inode state lock is taken for the update. */
static inline void samplefs_set_state(struct samplefs_inode_info *si,
				      unsigned long bits)
{
	spin_lock(&si->i_state_lock);
	si->i_state |= bits;
	spin_unlock(&si->i_state_lock);
}

static inline bool samplefs_test_state(struct samplefs_inode_info *si,
				       unsigned long bits)
{
	bool ret;

	spin_lock(&si->i_state_lock);
	ret = (si->i_state & bits) != 0;
	spin_unlock(&si->i_state_lock);
	return ret;
}

/* inode.c */
struct inode *samplefs_iget(struct super_block *sb, unsigned long ino);
int samplefs_write_inode(struct inode *inode, bool sync);
void samplefs_evict_inode(struct inode *inode);

/* file.c */
extern const struct file_operations samplefs_file_operations;
int samplefs_sync_file(struct file *file, loff_t start, loff_t end, int datasync);

/* super.c */
int samplefs_commit(struct super_block *sb);
void samplefs_log_inode(struct samplefs_sb_info *sbi, struct samplefs_inode_info *si);

#endif /* _SAMPLEFS_H */
