/* SPDX-License-Identifier: GPL-2.0 */
/* brine's own structures (lockscope test tree, own writing). */
#ifndef _BRINE_H
#define _BRINE_H

#include <linux/fs.h>

struct brine_inode {
	struct inode		vfs_inode;
	/* byte ranges of the file locked against concurrent I/O */
	struct extent_io_tree	io_tree;
};

/* a buffered write being written back, not finished yet */
struct brine_ordered {
	u64	file_offset;
	u64	len;
};

static inline struct brine_inode *BRINE_I(struct inode *inode)
{
	return container_of(inode, struct brine_inode, vfs_inode);
}

struct brine_ordered *brine_lookup_ordered(struct brine_inode *bi, u64 start, u64 len);
void brine_put_ordered(struct brine_ordered *ordered);
void brine_map_extent(struct brine_inode *bi, u64 start, struct buffer_head *bh);
int brine_writepages(struct address_space *mapping, struct writeback_control *wbc);

#endif
