// SPDX-License-Identifier: GPL-2.0
/* Waiting for an ordered extent starts its writeback (lockscope test tree, own writing). */
#include <linux/fs.h>

struct btrfs_ordered_extent {
	u64	file_offset;
	u64	len;
};

void btrfs_start_ordered_extent(struct inode *inode, struct btrfs_ordered_extent *entry, int wait)
{
	u64 start = entry->file_offset;
	u64 end = start + entry->len - 1;

	filemap_fdatawrite_range(inode->i_mapping, start, end);
	if (wait)
		wait_event(entry->wait, test_bit(BTRFS_ORDERED_COMPLETE, &entry->flags));
}
