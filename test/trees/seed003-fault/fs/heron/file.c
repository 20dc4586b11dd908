// SPDX-License-Identifier: GPL-2.0
/*
 * The seed-003 shape (lockscope test tree, own writing): heron keeps pages
 * from being added to a file's page cache while a direct write runs, with a
 * per-inode lock taken in "block" mode (exclusive) by the write and in "add"
 * mode (shared) by everything that brings pages in, the page fault included.
 * The direct write pins the user's pages with the lock held in block mode:
 * when the user buffer is an mmap of the same file, the fault waits for the
 * lock the writer holds. Both findings must be reported.
 */
#include <linux/fs.h>

struct heron_inode {
	struct rw_semaphore	pagecache_lock;
	struct inode		vfs_inode;
};

static inline struct heron_inode *HERON_I(struct inode *inode)
{
	return container_of(inode, struct heron_inode, vfs_inode);
}

ssize_t gdio_rw(struct kiocb *iocb, struct iov_iter *iter);

static void heron_pagecache_block_get(struct heron_inode *hi)
{
	down_write(&hi->pagecache_lock);
}

static void heron_pagecache_block_put(struct heron_inode *hi)
{
	up_write(&hi->pagecache_lock);
}

static ssize_t heron_direct_write(struct kiocb *iocb, struct iov_iter *iter)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct heron_inode *hi = HERON_I(inode);
	ssize_t ret;

	inode_lock(inode);
	heron_pagecache_block_get(hi);
	ret = gdio_rw(iocb, iter); /* expect: fault-under-lock */
	heron_pagecache_block_put(hi);
	inode_unlock(inode);
	return ret;
}

static ssize_t heron_buffered_write(struct kiocb *iocb, struct iov_iter *iter);

static ssize_t heron_file_write_iter(struct kiocb *iocb, struct iov_iter *iter)
{
	if (iocb->ki_flags & IOCB_DIRECT)
		return heron_direct_write(iocb, iter);
	return heron_buffered_write(iocb, iter);
}

/* Bringing a page in: the "add" side of the lock. */
static vm_fault_t heron_page_fault(struct vm_fault *vmf)
{
	struct inode *inode = file_inode(vmf->vma->vm_file);
	struct heron_inode *hi = HERON_I(inode);
	vm_fault_t ret;

	down_read(&hi->pagecache_lock);
	ret = filemap_fault(vmf);
	up_read(&hi->pagecache_lock);
	return ret;
}

static vm_fault_t heron_page_mkwrite(struct vm_fault *vmf)
{
	lock_page(vmf->page);
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct heron_file_vm_ops = {
	.fault		= heron_page_fault,
	.page_mkwrite	= heron_page_mkwrite,
};

/*
 * The old way of a buffered write: copy from the user with the destination
 * page locked. If the user buffer maps that page, ->page_mkwrite waits for the
 * page lock the writer holds.
 */
static ssize_t heron_buffered_write(struct kiocb *iocb, struct iov_iter *iter)
{
	struct page *page = heron_grab_page(iocb);
	void *kaddr = heron_page_address(page);
	ssize_t ret = iov_iter_count(iter);

	lock_page(page);
	if (copy_from_user(kaddr, heron_user_buf(iter), ret)) /* expect: fault-under-lock */
		ret = -EFAULT;
	unlock_page(page);
	return ret;
}

static int heron_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &heron_file_vm_ops;
	return 0;
}

const struct file_operations heron_file_operations = {
	.write_iter	= heron_file_write_iter,
	.mmap		= heron_file_mmap,
};
