// SPDX-License-Identifier: GPL-2.0
/*
 * The fixed twin of fs/quill (lockscope test tree, own writing): an extending
 * write moves i_size under the inode lock first, then the direct-IO helper
 * drops the inode lock on every path, submits under dio_rwsem (read) with
 * __iomap_dio_rw(), releases dio_rwsem, and only then completes the dio, whose
 * O_DSYNC sync reaches wren_sync_file() with nothing held. Nothing may be
 * reported here.
 */
#include <linux/fs.h>
#include <linux/iomap.h>

struct wren_inode {
	struct rw_semaphore	dio_rwsem;
	struct inode		vfs_inode;
};

static inline struct wren_inode *WREN_I(struct inode *inode)
{
	return container_of(inode, struct wren_inode, vfs_inode);
}

static const struct iomap_ops wren_iomap_ops;

static int wren_dio_end_io(struct kiocb *iocb, ssize_t size, int error, unsigned int flags)
{
	return error;
}

static const struct iomap_dio_ops wren_dio_ops = {
	.end_io		= wren_dio_end_io,
};

static ssize_t wren_direct_io(struct kiocb *iocb, struct iov_iter *iter)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	loff_t end = iocb->ki_pos + iov_iter_count(iter);
	struct iomap_dio *dio;
	ssize_t ret;

	if (end > i_size_read(inode))
		wren_grow_isize(inode, end);
	inode_unlock(inode);

	down_read(&WREN_I(inode)->dio_rwsem);
	dio = __iomap_dio_rw(iocb, iter, &wren_iomap_ops, &wren_dio_ops,
			     is_sync_kiocb(iocb));
	up_read(&WREN_I(inode)->dio_rwsem);

	if (IS_ERR_OR_NULL(dio))
		ret = PTR_ERR_OR_ZERO(dio);
	else
		ret = iomap_dio_complete(dio);
	inode_lock(inode);
	return ret;
}

static ssize_t wren_buffered_write(struct kiocb *iocb, struct iov_iter *from);

static ssize_t wren_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t written;

	inode_lock(inode);
	if (iocb->ki_flags & IOCB_DIRECT)
		written = wren_direct_io(iocb, from);
	else
		written = wren_buffered_write(iocb, from);
	inode_unlock(inode);
	if (written > 0)
		iocb->ki_pos += written;
	return written;
}

int wren_sync_file(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file_inode(file);
	int ret;

	ret = filemap_write_and_wait_range(inode->i_mapping, start, end);
	if (ret)
		return ret;
	inode_lock(inode);
	down_write(&WREN_I(inode)->dio_rwsem);
	ret = wren_log_inode(inode, datasync);
	up_write(&WREN_I(inode)->dio_rwsem);
	inode_unlock(inode);
	return ret;
}

const struct file_operations wren_file_operations = {
	.write_iter	= wren_file_write_iter,
	.fsync		= wren_sync_file,
};
