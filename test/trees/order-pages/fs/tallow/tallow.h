/* SPDX-License-Identifier: GPL-2.0 */
/* tallow's own structures (lockscope test tree, own writing). */
#ifndef _TALLOW_H
#define _TALLOW_H

#include <linux/fs.h>

/* one per mounted filesystem: it points back to its superblock */
struct tallow_sb_info {
	struct super_block	*sb;
	/* the inode whose page cache holds the block map */
	struct inode		*meta_inode;
	struct mutex		alloc_mutex;
	struct mutex		map_mutex;
	struct mutex		buf_mutex;
	struct mutex		scratch_mutex;
};

/* a block-map block cached in memory, on the metadata inode's pages */
struct tallow_buf {
	struct page	*pages[4];
	u64		start;
};

static inline struct tallow_sb_info *TALLOW_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

#endif
