/* SPDX-License-Identifier: GPL-2.0 */
/* quire's structures (lockscope test tree, own writing). */
#ifndef _QUIRE_H
#define _QUIRE_H

#include <linux/fs.h>

struct quire_inode {
	struct inode		vfs_inode;
	struct rw_semaphore	map_sem;	/* the block map */
};

struct quire_sb_info {
	struct super_block	*sb;
	struct mutex		quota_mutex;
	struct inode		*quota_inode;	/* internal: never reached through a path */
	struct inode		*node_inode;	/* internal: the node blocks' page cache */
	struct rw_semaphore	node_sem;	/* held while node pages are written */
};

struct inode *quire_first_dirty(struct quire_sb_info *sbi);

static inline struct address_space *QUIRE_NODE_MAPPING(struct quire_sb_info *sbi)
{
	return sbi->node_inode->i_mapping;
}

#define QUIRE_I(inode)	container_of(inode, struct quire_inode, vfs_inode)

static inline struct quire_sb_info *QUIRE_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

#endif
