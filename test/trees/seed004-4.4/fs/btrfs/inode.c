// SPDX-License-Identifier: GPL-2.0
/*
 * The direct-read side of the 4.4 deadlock, reduced (lockscope test tree, own
 * writing): with the inode's extent range locked, a pending ordered extent of
 * a buffered write is waited for, which writes back and locks its pages.
 */
#include <linux/fs.h>
#include <linux/pagemap.h>

struct btrfs_inode {
	struct inode		vfs_inode;
	struct extent_io_tree	io_tree;
};

#define BTRFS_I(inode)	container_of(inode, struct btrfs_inode, vfs_inode)

int extent_writepages(struct address_space *mapping, struct writeback_control *wbc);

static int btrfs_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	return extent_writepages(mapping, wbc);
}

static int btrfs_get_blocks_direct(struct inode *inode, u64 start, u64 len)
{
	struct btrfs_ordered_extent *ordered;
	u64 end = start + len - 1;

	lock_extent(&BTRFS_I(inode)->io_tree, start, end);
	ordered = btrfs_lookup_ordered_range(inode, start, len);
	if (ordered) {
		btrfs_start_ordered_extent(inode, ordered, 1);
		btrfs_put_ordered_extent(ordered);
	}
	unlock_extent(&BTRFS_I(inode)->io_tree, start, end);
	return 0;
}

static ssize_t btrfs_direct_IO(struct kiocb *iocb, struct iov_iter *iter)
{
	struct inode *inode = file_inode(iocb->ki_filp);

	return btrfs_get_blocks_direct(inode, iocb->ki_pos, iov_iter_count(iter));
}

const struct address_space_operations btrfs_aops = {
	.writepages	= btrfs_writepages,
	.direct_IO	= btrfs_direct_IO,
};
