// SPDX-License-Identifier: GPL-2.0
/*
 * A guarded twin of fs/quill (lockscope test tree, own writing): the direct
 * write keeps the inode lock across iomap_dio_rw() on every path, but first
 * marks the task (current->journal_info) so that the O_DSYNC sync run inside
 * knows its caller holds the inode lock: kite_sync_file() then logs without
 * taking it and returns early. The lock is taken only when the mark is not
 * set, so nothing may be reported here.
 */
#include <linux/fs.h>
#include <linux/iomap.h>

#define KITE_DIO_SYNC_STUB	((void *)1)

static const struct iomap_ops kite_iomap_ops;

static ssize_t kite_direct_io(struct kiocb *iocb, struct iov_iter *iter)
{
	ssize_t ret;

	current->journal_info = KITE_DIO_SYNC_STUB;
	ret = iomap_dio_rw(iocb, iter, &kite_iomap_ops, NULL, is_sync_kiocb(iocb));
	current->journal_info = NULL;
	return ret;
}

static ssize_t kite_buffered_write(struct kiocb *iocb, struct iov_iter *from);

static ssize_t kite_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t written;

	inode_lock(inode);
	if (iocb->ki_flags & IOCB_DIRECT)
		written = kite_direct_io(iocb, from);
	else
		written = kite_buffered_write(iocb, from);
	inode_unlock(inode);
	if (written > 0)
		iocb->ki_pos += written;
	return written;
}

int kite_sync_file(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file_inode(file);
	int ret;

	/* called from our own direct write, which holds the inode lock */
	if (current->journal_info) {
		current->journal_info = NULL;
		return kite_log_inode(inode, datasync);
	}

	inode_lock(inode);
	ret = kite_log_inode(inode, datasync);
	inode_unlock(inode);
	return ret;
}

const struct file_operations kite_file_operations = {
	.write_iter	= kite_file_write_iter,
	.fsync		= kite_sync_file,
};
