// SPDX-License-Identifier: GPL-2.0
/*
 * brine's direct read and buffered write (lockscope test tree, own writing).
 *
 * The direct read maps extents through brine_get_blocks_direct, which returns
 * with the extent's byte range locked (the read's completion unlocks it). When
 * it finds a buffered write still being written back, it waits for it: that
 * writeback locks the file's pages, while the range of the extent mapped by the
 * previous call is still locked. The buffered write locks its page first, then
 * the range: each can wait for the other.
 */
#include "brine.h"

void brine_start_ordered(struct inode *inode, struct brine_ordered *ordered);

static int brine_get_blocks_direct(struct inode *inode, sector_t iblock, struct buffer_head *bh_result, int create)
{
	struct brine_inode *bi = BRINE_I(inode);
	u64 start = (u64)iblock << inode->i_blkbits;
	u64 end = start + bh_result->b_size - 1;
	struct brine_ordered *ordered;

again:
	lock_extent(&bi->io_tree, start, end);
	ordered = brine_lookup_ordered(bi, start, bh_result->b_size);
	if (ordered) {
		unlock_extent(&bi->io_tree, start, end);
		brine_start_ordered(inode, ordered);
		brine_put_ordered(ordered);
		goto again;
	}
	brine_map_extent(bi, start, bh_result);
	return 0;
}

static ssize_t brine_direct_read(struct kiocb *iocb, struct iov_iter *iter)
{
	struct inode *inode = file_inode(iocb->ki_filp);

	return dio_read_blocks(iocb, inode, iter, brine_get_blocks_direct);
}

static ssize_t brine_buffered_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct brine_inode *bi = BRINE_I(inode);
	pgoff_t index = iocb->ki_pos >> PAGE_SHIFT;
	u64 start = (u64)index << PAGE_SHIFT;
	struct page *page;

	page = find_or_create_page(inode->i_mapping, index, GFP_NOFS);
	if (!page)
		return -ENOMEM;
	lock_extent(&bi->io_tree, start, start + PAGE_SIZE - 1); /* expect: lock-order-inversion */
	copy_page_from_iter(page, offset_in_page(iocb->ki_pos), PAGE_SIZE, from);
	unlock_extent(&bi->io_tree, start, start + PAGE_SIZE - 1);
	unlock_page(page);
	put_page(page);
	return PAGE_SIZE;
}

const struct address_space_operations brine_aops = {
	.writepages	= brine_writepages,
};

const struct file_operations brine_file_operations = {
	.read_iter	= brine_direct_read,
	.write_iter	= brine_buffered_write,
};
