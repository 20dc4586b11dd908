// SPDX-License-Identifier: GPL-2.0
/*
 * Generic direct read (lockscope test tree, own writing): the filesystem maps
 * each extent through the get_block callback it passes; whatever a mapping
 * leaves locked stays so until the read completes, so the next call runs with
 * the previous extent's locks held.
 */
#include <linux/fs.h>

struct dio_state {
	struct inode	*inode;
	sector_t	block;
	sector_t	last;
};

static int dio_map_next(struct dio_state *ds, struct buffer_head *bh, get_block_t *get_block)
{
	bh->b_size = (ds->last - ds->block) << ds->inode->i_blkbits;
	return get_block(ds->inode, ds->block, bh, 0);
}

ssize_t dio_read_blocks(struct kiocb *iocb, struct inode *inode, struct iov_iter *iter, get_block_t get_block)
{
	struct dio_state ds = {
		.inode	= inode,
		.block	= iocb->ki_pos >> inode->i_blkbits,
		.last	= (iocb->ki_pos + iov_iter_count(iter)) >> inode->i_blkbits,
	};
	struct buffer_head map_bh;
	int ret = 0;

	while (ds.block < ds.last) {
		ret = dio_map_next(&ds, &map_bh, get_block);
		if (ret)
			break;
		dio_queue_read(&ds, &map_bh);
		ds.block += map_bh.b_size >> inode->i_blkbits;
	}
	/* the reads are submitted here; their completion releases what get_block left locked */
	dio_submit_queued(&ds);
	return ret;
}
