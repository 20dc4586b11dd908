// SPDX-License-Identifier: GPL-2.0
/*
 * The buffered-write side (lockscope test tree, own writing): the page is
 * locked first, then the extent range.
 */
#include <linux/fs.h>
#include <linux/pagemap.h>

struct btrfs_inode {
	struct inode		vfs_inode;
	struct extent_io_tree	io_tree;
};

#define BTRFS_I(inode)	container_of(inode, struct btrfs_inode, vfs_inode)

static int prepare_pages(struct inode *inode, struct page *page, loff_t pos)
{
	lock_page(page);
	if (!PageUptodate(page))
		return btrfs_read_page_locked(inode, page, pos);
	return 0;
}

static int lock_and_cleanup_extent_if_need(struct inode *inode, struct page *page, u64 start, u64 end)
{
	lock_extent(&BTRFS_I(inode)->io_tree, start, end);
	clear_extent_dirty_bits(inode, start, end);
	return 1;
}

static ssize_t btrfs_buffered_write_page(struct inode *inode, struct page *page, loff_t pos)
{
	u64 start = round_down(pos, PAGE_SIZE);
	u64 end = start + PAGE_SIZE - 1;
	int ret;

	/* prepare_pages() returns with the page locked, even when it fails */
	ret = prepare_pages(inode, page, pos);
	if (ret) {
		unlock_page(page);
		return ret;
	}
	lock_and_cleanup_extent_if_need(inode, page, start, end); /* expect: lock-order-inversion */
	copy_into_page(page, pos);
	unlock_extent(&BTRFS_I(inode)->io_tree, start, end);
	unlock_page(page);
	return 0;
}
