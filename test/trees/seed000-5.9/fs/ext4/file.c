// SPDX-License-Identifier: GPL-2.0
/*
 * ext4's direct write also holds the inode lock across iomap_dio_rw(), but its
 * ->fsync takes no inode lock, so there is no recursive lock here (lockscope
 * test tree, own writing). The built-in rule "no generic_write_sync() under the
 * inode lock of the same file" assumes ->fsync may take it; here ->fsync
 * resolves through ext4_file_operations to ext4_sync_file(), which does not, so
 * the analysis decides and nothing is reported.
 */
#include <linux/fs.h>
#include <linux/iomap.h>

static const struct iomap_ops ext4_iomap_ops;

static ssize_t ext4_dio_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	inode_lock(inode);
	ret = iomap_dio_rw(iocb, from, &ext4_iomap_ops, NULL, is_sync_kiocb(iocb));
	inode_unlock(inode);
	return ret;
}

static ssize_t ext4_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	if (iocb->ki_flags & IOCB_DIRECT)
		return ext4_dio_write_iter(iocb, from);
	return ext4_buffered_write_iter(iocb, from);
}

int ext4_sync_file(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file->f_mapping->host;

	return ext4_force_commit(inode, datasync);
}

const struct file_operations ext4_file_operations = {
	.write_iter	= ext4_file_write_iter,
	.fsync		= ext4_sync_file,
};
