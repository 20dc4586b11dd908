// SPDX-License-Identifier: GPL-2.0
/*
 * The btrfs write path as it stood in 5.9-rc2, reduced (lockscope test tree,
 * own writing): btrfs_file_write_iter() holds the inode lock across the direct
 * write; an O_DSYNC write completes inside iomap_dio_rw() and syncs through
 * vfs_fsync_range() -> ->fsync == btrfs_sync_file(), which takes the inode
 * lock again. The built-in rule on generic_write_sync() fires on the same call;
 * the recursive-lock, with the whole path, is the one finding (it cites the rule).
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

static ssize_t __btrfs_direct_write(struct kiocb *iocb, struct iov_iter *from)
{
	return iomap_dio_rw(iocb, from, &btrfs_dio_iomap_ops, &btrfs_dio_ops,
			    is_sync_kiocb(iocb));
}

static ssize_t btrfs_direct_write(struct kiocb *iocb, struct iov_iter *from)
{
	ssize_t written;

	written = __btrfs_direct_write(iocb, from);
	if (written < 0)
		return written;
	iocb->ki_pos += written;
	return written;
}

static ssize_t btrfs_buffered_write(struct kiocb *iocb, struct iov_iter *from);

static ssize_t btrfs_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	ssize_t num_written;

	inode_lock(inode);
	if (iocb->ki_pos + iov_iter_count(from) > inode->i_size) {
		num_written = -EFBIG;
		goto out;
	}
	if (iocb->ki_flags & IOCB_DIRECT)
		num_written = btrfs_direct_write(iocb, from); /* expect: recursive-lock */
	else
		num_written = btrfs_buffered_write(iocb, from);
out:
	inode_unlock(inode);
	return num_written;
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
