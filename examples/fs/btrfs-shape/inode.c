// SPDX-License-Identifier: GPL-2.0
/*
 * The shape of a known btrfs ABBA (original sample code for lockscope): a
 * direct read locks the inode's extent range and, still holding it, waits for
 * an ordered extent whose writeback locks a page; the buffered write in
 * file.c locks the page first and then the extent range. lock-order-inversion
 * is opt-in (examples/.lockscope.json turns it on).
 */
#include <linux/lockstubs.h>

struct shape_io_tree;

struct shape_inode {
	struct inode		vfs_inode;
	struct shape_io_tree	*io_tree;
};

static void shape_writeback_page(struct page *page)
{
	lock_page(page);
	shape_submit_page(page);
	unlock_page(page);
}

static void shape_wait_ordered(struct shape_inode *si, struct page *page)
{
	if (PageDirty(page))
		shape_writeback_page(page);
}

static int shape_dio_read_range(struct shape_inode *si, struct page *page, u64 start, u64 end)
{
	lock_extent(si->io_tree, start, end, NULL);
	shape_wait_ordered(si, page);
	unlock_extent(si->io_tree, start, end, NULL);
	return 0;
}
