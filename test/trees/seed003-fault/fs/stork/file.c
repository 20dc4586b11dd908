// SPDX-License-Identifier: GPL-2.0
/*
 * A twin of fs/heron whose direct read holds the page-cache lock in the mode
 * the fault takes it (lockscope test tree, own writing): both are readers of
 * one rw_semaphore, which share it, as lockdep does not report a read after
 * a read. The direct write of the same filesystem holds it as a writer and
 * is reported.
 */
#include <linux/fs.h>

struct stork_inode {
	struct rw_semaphore	pagecache_lock;
	struct inode		vfs_inode;
};

static inline struct stork_inode *STORK_I(struct inode *inode)
{
	return container_of(inode, struct stork_inode, vfs_inode);
}

ssize_t gdio_rw(struct kiocb *iocb, struct iov_iter *iter);

static ssize_t stork_file_read_iter(struct kiocb *iocb, struct iov_iter *iter)
{
	struct stork_inode *si = STORK_I(file_inode(iocb->ki_filp));
	ssize_t ret;

	down_read(&si->pagecache_lock);
	ret = gdio_rw(iocb, iter);
	up_read(&si->pagecache_lock);
	return ret;
}

static ssize_t stork_file_write_iter(struct kiocb *iocb, struct iov_iter *iter)
{
	struct stork_inode *si = STORK_I(file_inode(iocb->ki_filp));
	ssize_t ret;

	down_write(&si->pagecache_lock);
	ret = gdio_rw(iocb, iter); /* expect: fault-under-lock */
	up_write(&si->pagecache_lock);
	return ret;
}

static vm_fault_t stork_page_fault(struct vm_fault *vmf)
{
	struct stork_inode *si = STORK_I(file_inode(vmf->vma->vm_file));
	vm_fault_t ret;

	down_read(&si->pagecache_lock);
	ret = filemap_fault(vmf);
	up_read(&si->pagecache_lock);
	return ret;
}

static const struct vm_operations_struct stork_file_vm_ops = {
	.fault		= stork_page_fault,
};

static int stork_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &stork_file_vm_ops;
	return 0;
}

const struct file_operations stork_file_operations = {
	.read_iter	= stork_file_read_iter,
	.write_iter	= stork_file_write_iter,
	.mmap		= stork_file_mmap,
};
