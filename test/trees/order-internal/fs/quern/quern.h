/* SPDX-License-Identifier: GPL-2.0 */
/* quern's structures (lockscope test tree, own writing). */
#ifndef _QUERN_H
#define _QUERN_H

#include <linux/fs.h>

struct quern_inode {
	struct inode		vfs_inode;
	struct rw_semaphore	map_sem;	/* the block map */
};

struct quern_sb_info {
	struct super_block	*sb;
	struct mutex		quota_mutex;
	struct inode		*quota_inode;	/* internal: never reached through a path */
	struct inode		*node_inode;	/* internal: the node blocks' page cache */
	struct rw_semaphore	node_sem;	/* held while node pages are written */
};

static inline struct address_space *QUERN_NODE_MAPPING(struct quern_sb_info *sbi)
{
	return sbi->node_inode->i_mapping;
}

#define QUERN_I(inode)	container_of(inode, struct quern_inode, vfs_inode)

static inline struct quern_sb_info *QUERN_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

#endif
