// SPDX-License-Identifier: GPL-2.0
/*
 * marl's direct read and buffered write (lockscope test tree, own writing):
 * the same as brine's, except that a direct read that finds a buffered write
 * still being written back does not wait for it. It gives the range back and
 * falls back to a buffered read, so no page is locked while the range of the
 * previous extent is: no inversion with the buffered write.
 */
#include "marl.h"

static int marl_get_blocks_direct(struct inode *inode, sector_t iblock, struct buffer_head *bh_result, int create)
{
	struct marl_inode *bi = MARL_I(inode);
	u64 start = (u64)iblock << inode->i_blkbits;
	u64 end = start + bh_result->b_size - 1;
	struct marl_ordered *ordered;

	lock_extent(&bi->io_tree, start, end);
	ordered = marl_lookup_ordered(bi, start, bh_result->b_size);
	if (ordered) {
		unlock_extent(&bi->io_tree, start, end);
		marl_put_ordered(ordered);
		return -ENOTBLK;
	}
	marl_map_extent(bi, start, bh_result);
	return 0;
}

static ssize_t marl_direct_read(struct kiocb *iocb, struct iov_iter *iter)
{
	struct inode *inode = file_inode(iocb->ki_filp);

	ssize_t ret;

	ret = dio_read_blocks(iocb, inode, iter, marl_get_blocks_direct);
	if (ret == -ENOTBLK)
		ret = marl_buffered_read(iocb, iter);
	return ret;
}

static ssize_t marl_buffered_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct marl_inode *bi = MARL_I(inode);
	pgoff_t index = iocb->ki_pos >> PAGE_SHIFT;
	u64 start = (u64)index << PAGE_SHIFT;
	struct page *page;

	page = find_or_create_page(inode->i_mapping, index, GFP_NOFS);
	if (!page)
		return -ENOMEM;
	lock_extent(&bi->io_tree, start, start + PAGE_SIZE - 1);
	copy_page_from_iter(page, offset_in_page(iocb->ki_pos), PAGE_SIZE, from);
	unlock_extent(&bi->io_tree, start, start + PAGE_SIZE - 1);
	unlock_page(page);
	put_page(page);
	return PAGE_SIZE;
}

const struct address_space_operations marl_aops = {
	.writepages	= marl_writepages,
};

const struct file_operations marl_file_operations = {
	.read_iter	= marl_direct_read,
	.write_iter	= marl_buffered_write,
};
