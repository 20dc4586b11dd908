// SPDX-License-Identifier: GPL-2.0
/*
 * Seed 000 in its true shape (lockscope test tree, own writing): the write
 * path holds the inode lock; the direct-IO helper drops it only for an
 * overwrite inside i_size and keeps it for an extending write, and holds the
 * per-inode dio_rwsem for read across iomap_dio_rw(). A synchronous O_DSYNC
 * dio completes inside iomap_dio_rw() and syncs through ->fsync, which is
 * quill_sync_file(): it takes the inode lock, then dio_rwsem for write.
 * Two deadlocks, both at the iomap_dio_rw() call: the inode lock on the
 * extending path (the caller's lock, kept on that path), and dio_rwsem (read
 * held, write requested by the same task) on every path. The tree's
 * .lockscope.json turns the built-in forbidden-call rules off: the general
 * mechanism alone must find them.
 */
#include <linux/fs.h>
#include <linux/iomap.h>

struct quill_inode {
	struct rw_semaphore	dio_rwsem;
	struct inode		vfs_inode;
};

static inline struct quill_inode *QUILL_I(struct inode *inode)
{
	return container_of(inode, struct quill_inode, vfs_inode);
}

static const struct iomap_ops quill_iomap_ops;

static int quill_dio_end_io(struct kiocb *iocb, ssize_t size, int error, unsigned int flags)
{
	return error;
}

static const struct iomap_dio_ops quill_dio_ops = {
	.end_io		= quill_dio_end_io,
};

static ssize_t quill_direct_io(struct kiocb *iocb, struct iov_iter *iter)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	loff_t offset = iocb->ki_pos;
	size_t count = iov_iter_count(iter);
	bool relock = false;
	ssize_t ret;

	/*
	 * An overwrite inside i_size may run without the inode lock; an
	 * extending write must keep it, since it updates i_size at the end.
	 */
	if (offset + count <= i_size_read(inode)) {
		inode_unlock(inode);
		relock = true;
	} else if (iocb->ki_flags & IOCB_NOWAIT) {
		ret = -EAGAIN;
		goto out;
	}
	down_read(&QUILL_I(inode)->dio_rwsem);
	ret = iomap_dio_rw(iocb, iter, &quill_iomap_ops, &quill_dio_ops, /* expect: recursive-lock, recursive-lock */
			   is_sync_kiocb(iocb));
	up_read(&QUILL_I(inode)->dio_rwsem);
out:
	if (relock)
		inode_lock(inode);
	return ret;
}

static ssize_t quill_buffered_write(struct kiocb *iocb, struct iov_iter *from);

static ssize_t quill_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t written;

	inode_lock(inode);
	if (iocb->ki_flags & IOCB_DIRECT)
		written = quill_direct_io(iocb, from);
	else
		written = quill_buffered_write(iocb, from);
	inode_unlock(inode);
	if (written > 0)
		iocb->ki_pos += written;
	return written;
}

int quill_sync_file(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file_inode(file);
	int ret;

	ret = filemap_write_and_wait_range(inode->i_mapping, start, end);
	if (ret)
		return ret;
	inode_lock(inode);
	down_write(&QUILL_I(inode)->dio_rwsem);
	ret = quill_log_inode(inode, datasync);
	up_write(&QUILL_I(inode)->dio_rwsem);
	inode_unlock(inode);
	return ret;
}

const struct file_operations quill_file_operations = {
	.write_iter	= quill_file_write_iter,
	.fsync		= quill_sync_file,
};
