// SPDX-License-Identifier: GPL-2.0
/*
 * A twin of fs/heron whose fault handler takes another lock (lockscope test
 * tree, own writing): the direct write serialises on a per-inode dio mutex,
 * the fault takes the inode's mmap rwsem, and nothing on the fault path
 * takes the dio mutex. Nothing may be reported here.
 */
#include <linux/fs.h>

struct ibis_inode {
	struct mutex		dio_mutex;
	struct rw_semaphore	mmap_sem;
	struct inode		vfs_inode;
};

static inline struct ibis_inode *IBIS_I(struct inode *inode)
{
	return container_of(inode, struct ibis_inode, vfs_inode);
}

ssize_t gdio_rw(struct kiocb *iocb, struct iov_iter *iter);

static ssize_t ibis_file_write_iter(struct kiocb *iocb, struct iov_iter *iter)
{
	struct ibis_inode *ii = IBIS_I(file_inode(iocb->ki_filp));
	ssize_t ret;

	mutex_lock(&ii->dio_mutex);
	ret = gdio_rw(iocb, iter);
	mutex_unlock(&ii->dio_mutex);
	return ret;
}

static vm_fault_t ibis_page_fault(struct vm_fault *vmf)
{
	struct ibis_inode *ii = IBIS_I(file_inode(vmf->vma->vm_file));
	vm_fault_t ret;

	down_read(&ii->mmap_sem);
	ret = filemap_fault(vmf);
	up_read(&ii->mmap_sem);
	return ret;
}

static const struct vm_operations_struct ibis_file_vm_ops = {
	.fault		= ibis_page_fault,
};

static int ibis_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &ibis_file_vm_ops;
	return 0;
}

const struct file_operations ibis_file_operations = {
	.write_iter	= ibis_file_write_iter,
	.mmap		= ibis_file_mmap,
};
