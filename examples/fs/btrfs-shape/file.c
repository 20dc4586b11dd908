// SPDX-License-Identifier: GPL-2.0
/*
 * The shape of a direct-I/O write path that syncs from its completion:
 *
 *   write_iter            takes inode_lock(inode)
 *     -> direct_write
 *       -> dio_complete
 *         -> write_sync   (O_DSYNC / O_SYNC writes)
 *           -> sync_inode (the ->fsync work) takes inode_lock(inode) again
 *
 * The rwsem is not recursive, so an O_SYNC direct write hangs on itself.
 * Everything is in one file with static functions and the inode passed down
 * the chain, so that same-file summaries can see it.
 */
#include <linux/lockstubs.h>

struct shape_dio {
	struct kiocb	*iocb;
	struct inode	*inode;
	loff_t		pos;
	ssize_t		size;
	int		error;
	unsigned int	flags;
};

#define SHAPE_DIO_NEED_SYNC	0x1

static int shape_flush_range(struct inode *inode, loff_t start, loff_t end)
{
	struct address_space *mapping = inode->i_mapping;
	int ret;

	filemap_invalidate_lock_shared(mapping);
	ret = filemap_write_and_wait_range(mapping, start, end);
	filemap_invalidate_unlock_shared(mapping);
	return ret;
}

/* The work behind ->fsync: keeps writers out while the log is written. */
static int shape_sync_inode(struct inode *inode, loff_t start, loff_t end,
			    int datasync)
{
	int ret;

	ret = shape_flush_range(inode, start, end);
	if (ret)
		return ret;

	inode_lock(inode);
	ret = shape_log_inode(inode, datasync);
	inode_unlock(inode);
	return ret;
}

static int shape_sync_file(struct file *file, loff_t start, loff_t end,
			   int datasync)
{
	return shape_sync_inode(file_inode(file), start, end, datasync);
}

static ssize_t shape_write_sync(struct inode *inode, loff_t pos, ssize_t count,
				unsigned int flags)
{
	int ret;

	if (!(flags & SHAPE_DIO_NEED_SYNC))
		return count;
	ret = shape_sync_inode(inode, pos, pos + count - 1, 0);
	return ret ? ret : count;
}

static ssize_t shape_dio_complete(struct shape_dio *dio, struct inode *inode)
{
	ssize_t ret = dio->error ? dio->error : dio->size;

	if (ret > 0)
		ret = shape_write_sync(inode, dio->pos, ret, dio->flags);
	kfree(dio);
	return ret;
}

static ssize_t shape_direct_write(struct kiocb *iocb, struct inode *inode,
				  struct iov_iter *from)
{
	struct shape_dio *dio;

	dio = kzalloc(sizeof(*dio), GFP_NOFS);
	if (!dio)
		return -ENOMEM;
	dio->iocb = iocb;
	dio->pos = iocb->ki_pos;
	if (iocb->ki_flags & IOCB_DSYNC)
		dio->flags |= SHAPE_DIO_NEED_SYNC;
	dio->size = shape_submit_dio(dio, from);
	return shape_dio_complete(dio, inode);
}

static ssize_t shape_buffered_write(struct kiocb *iocb, struct inode *inode,
				    struct iov_iter *from)
{
	struct page *page;
	u64 start = iocb->ki_pos & ~4095ULL;
	u64 end = start + 4095;
	struct extent_state *cached = NULL;
	ssize_t copied;

	page = grab_cache_page_write_begin(inode->i_mapping, start >> 12);
	if (!page)
		return -ENOMEM;
	/* the page comes back locked: page lock first, then the extent range, same order as writeback */
	lock_extent(&SHAPE_I(inode)->io_tree, start, end, &cached); /* expect: lock-order-inversion */
	copied = copy_page_from_iter(page, 0, 4096, from);
	unlock_extent(&SHAPE_I(inode)->io_tree, start, end, &cached);
	unlock_page(page);
	put_page(page);
	return copied;
}

static ssize_t shape_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	inode_lock(inode);
	ret = generic_write_checks(iocb, from);
	if (ret <= 0)
		goto out;

	if (iocb->ki_flags & IOCB_DIRECT) {
		ret = shape_direct_write(iocb, inode, from); /* expect: recursive-lock */
		goto out;
	}

	ret = shape_buffered_write(iocb, inode, from);
	if (ret > 0)
		iocb->ki_pos += ret;
	inode_unlock(inode);

	/* buffered writes sync after dropping the lock: fine */
	if (ret > 0 && (iocb->ki_flags & IOCB_DSYNC))
		ret = shape_write_sync(inode, iocb->ki_pos - ret, ret,
				       SHAPE_DIO_NEED_SYNC);
	return ret;
out:
	inode_unlock(inode);
	return ret;
}

const struct file_operations shape_file_operations = {
	.write_iter	= shape_file_write_iter,
	.read_iter	= generic_file_read_iter,
	.fsync		= shape_sync_file,
};
