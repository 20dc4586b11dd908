// SPDX-License-Identifier: GPL-2.0
/*
 * XFS picks its inode locks with flag bits: the direct write holds the IOLOCK
 * (the VFS inode's i_rwsem) and fsync takes only the ILOCK, a different lock.
 * The wrappers pass the flags through. No recursion may be reported here
 * (lockscope test tree, own writing).
 */
#include <linux/fs.h>
#include <linux/iomap.h>

struct xfs_inode {
	struct inode		i_vnode;
	struct rw_semaphore	i_lock;
};

#define XFS_I(inode)	container_of(inode, struct xfs_inode, i_vnode)
#define VFS_I(ip)	(&(ip)->i_vnode)

static const struct iomap_ops xfs_direct_write_iomap_ops;

static void xfs_ilock_iolock(struct xfs_inode *ip, unsigned int iolock)
{
	xfs_ilock(ip, iolock);
}

static ssize_t xfs_file_dio_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct xfs_inode *ip = XFS_I(file_inode(iocb->ki_filp));
	unsigned int iolock = XFS_IOLOCK_EXCL;
	ssize_t ret;

	xfs_ilock_iolock(ip, XFS_IOLOCK_EXCL);
	ret = iomap_dio_rw(iocb, from, &xfs_direct_write_iomap_ops, NULL, is_sync_kiocb(iocb));
	xfs_iunlock(ip, iolock);
	return ret;
}

static ssize_t xfs_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	return xfs_file_dio_write(iocb, from);
}

int xfs_file_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct xfs_inode *ip = XFS_I(file->f_mapping->host);
	int error;

	xfs_ilock(ip, XFS_ILOCK_SHARED);
	error = xfs_log_force_inode(ip);
	xfs_iunlock(ip, XFS_ILOCK_SHARED);
	return error;
}

const struct file_operations xfs_file_operations = {
	.write_iter	= xfs_file_write_iter,
	.fsync		= xfs_file_fsync,
};
