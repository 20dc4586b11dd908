// SPDX-License-Identifier: GPL-2.0
/*
 * The btrfs write path after the 5.10 rework, reduced (lockscope test tree,
 * own writing): the direct write takes the inode lock itself, submits with
 * __iomap_dio_rw(), drops the lock, and only then completes the dio, whose
 * O_DSYNC sync reaches btrfs_sync_file() with nothing held. Nothing may be
 * reported in this tree.
 */
#include <linux/fs.h>
#include <linux/iomap.h>

static const struct iomap_ops btrfs_dio_iomap_ops;

static int btrfs_dio_end_io(struct kiocb *iocb, ssize_t size, int error, unsigned int flags)
{
	return error;
}

static const struct iomap_dio_ops btrfs_dio_ops = {
	.end_io		= btrfs_dio_end_io,
};

static ssize_t btrfs_direct_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct iomap_dio *dio;
	ssize_t written;

	inode_lock(inode);
	dio = __iomap_dio_rw(iocb, from, &btrfs_dio_iomap_ops, &btrfs_dio_ops,
			     is_sync_kiocb(iocb));
	inode_unlock(inode);

	if (IS_ERR_OR_NULL(dio))
		return PTR_ERR_OR_ZERO(dio);
	written = iomap_dio_complete(dio);
	if (written > 0)
		iocb->ki_pos += written;
	return written;
}

static ssize_t btrfs_buffered_write(struct kiocb *iocb, struct iov_iter *from);

static ssize_t btrfs_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	if (iocb->ki_flags & IOCB_DIRECT)
		return btrfs_direct_write(iocb, from);
	return btrfs_buffered_write(iocb, from);
}

int btrfs_sync_file(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file_inode(file);
	int ret;

	ret = btrfs_wait_ordered_range(inode, start, end - start + 1);
	if (ret)
		return ret;
	inode_lock(inode);
	ret = btrfs_log_inode(inode, datasync);
	inode_unlock(inode);
	return ret;
}

const struct file_operations btrfs_file_operations = {
	.write_iter	= btrfs_file_write_iter,
	.fsync		= btrfs_sync_file,
};
