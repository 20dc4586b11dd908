// SPDX-License-Identifier: GPL-2.0
/*
 * The write path holds the inode lock across generic_write_sync(). The built-in rule says ->fsync may take
 * the inode lock; here ->fsync resolves (through wren_file_ops) to wren_fsync, in a file of its own that the
 * call graph does not order before this one, and it takes only the log mutex: nothing to report.
 */
#include "wren.h"

static ssize_t wren_copy(struct kiocb *iocb, struct iov_iter *from);

ssize_t wren_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	if (!from)
		return -EINVAL;
	inode_lock(inode);
	ret = wren_copy(iocb, from);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret);
	inode_unlock(inode);
	return ret;
}

const struct file_operations wren_file_ops = {
	.write_iter	= wren_file_write_iter,
	.fsync		= wren_fsync,
};
