// SPDX-License-Identifier: GPL-2.0
/*
 * The broken twin of fs/kite (lockscope test tree, own writing): the direct
 * write marks the task the same way, but lark_sync_file() clears the mark
 * before it tests anything and then always takes the inode lock, so the mark
 * protects nothing: the sync inside iomap_dio_rw() deadlocks on the inode
 * lock the write holds.
 */
#include <linux/fs.h>
#include <linux/iomap.h>

#define LARK_DIO_SYNC_STUB	((void *)1)

static const struct iomap_ops lark_iomap_ops;

static ssize_t lark_direct_io(struct kiocb *iocb, struct iov_iter *iter)
{
	ssize_t ret;

	current->journal_info = LARK_DIO_SYNC_STUB;
	ret = iomap_dio_rw(iocb, iter, &lark_iomap_ops, NULL, is_sync_kiocb(iocb));
	current->journal_info = NULL;
	return ret;
}

static ssize_t lark_buffered_write(struct kiocb *iocb, struct iov_iter *from);

static ssize_t lark_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t written;

	inode_lock(inode);
	if (iocb->ki_flags & IOCB_DIRECT)
		written = lark_direct_io(iocb, from); /* expect: recursive-lock */
	else
		written = lark_buffered_write(iocb, from);
	inode_unlock(inode);
	if (written > 0)
		iocb->ki_pos += written;
	return written;
}

int lark_sync_file(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file_inode(file);
	int ret;

	current->journal_info = NULL;
	if (current->journal_info)
		return lark_log_inode(inode, datasync);

	inode_lock(inode);
	ret = lark_log_inode(inode, datasync);
	inode_unlock(inode);
	return ret;
}

const struct file_operations lark_file_operations = {
	.write_iter	= lark_file_write_iter,
	.fsync		= lark_sync_file,
};
