/* SPDX-License-Identifier: GPL-2.0 */
/* marl's own structures (lockscope test tree, own writing). */
#ifndef _MARL_H
#define _MARL_H

#include <linux/fs.h>

struct marl_inode {
	struct inode		vfs_inode;
	/* byte ranges of the file locked against concurrent I/O */
	struct extent_io_tree	io_tree;
};

/* a buffered write being written back, not finished yet */
struct marl_ordered {
	u64	file_offset;
	u64	len;
};

static inline struct marl_inode *MARL_I(struct inode *inode)
{
	return container_of(inode, struct marl_inode, vfs_inode);
}

struct marl_ordered *marl_lookup_ordered(struct marl_inode *bi, u64 start, u64 len);
void marl_put_ordered(struct marl_ordered *ordered);
void marl_map_extent(struct marl_inode *bi, u64 start, struct buffer_head *bh);
int marl_writepages(struct address_space *mapping, struct writeback_control *wbc);

#endif
