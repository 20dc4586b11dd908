// SPDX-License-Identifier: GPL-2.0
/*
 * The fixed twin of fs/heron (lockscope test tree, own writing): the same
 * lock in the same modes, but the direct write tells the iterator not to
 * fault (`iter->nofault`) and, on -EFAULT, drops the lock, faults the pages in
 * with nothing held and tries again; the buffered write copies with page
 * faults disabled (a short copy is retried after faulting in unlocked); the
 * read of a page into the page cache copies through an iterator over the
 * locked page itself (kernel memory), which does not fault. Nothing may be
 * reported here.
 */
#include <linux/fs.h>

struct egret_inode {
	struct rw_semaphore	pagecache_lock;
	struct inode		vfs_inode;
};

static inline struct egret_inode *EGRET_I(struct inode *inode)
{
	return container_of(inode, struct egret_inode, vfs_inode);
}

ssize_t gdio_rw(struct kiocb *iocb, struct iov_iter *iter);
size_t fault_in_iov_iter_readable(const struct iov_iter *i, size_t bytes);

static ssize_t egret_direct_write(struct kiocb *iocb, struct iov_iter *iter)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct egret_inode *ei = EGRET_I(inode);
	ssize_t ret;

again:
	down_write(&ei->pagecache_lock);
	iter->nofault = true;
	ret = gdio_rw(iocb, iter);
	iter->nofault = false;
	up_write(&ei->pagecache_lock);
	if (ret == -EFAULT &&
	    !fault_in_iov_iter_readable(iter, iov_iter_count(iter)))
		goto again;
	return ret;
}

static ssize_t egret_buffered_write(struct kiocb *iocb, struct iov_iter *iter)
{
	struct page *page = egret_grab_page(iocb);
	void *kaddr = egret_page_address(page);
	size_t len = iov_iter_count(iter);
	unsigned long left;

retry:
	lock_page(page);
	pagefault_disable();
	left = __copy_from_user_inatomic(kaddr, egret_user_buf(iter), len);
	pagefault_enable();
	unlock_page(page);
	if (left && !fault_in_iov_iter_readable(iter, len))
		goto retry;
	return len - left;
}

static ssize_t egret_fill(struct page *src, struct iov_iter *to, size_t len)
{
	return copy_page_to_iter(src, 0, len, to);
}

static int egret_read_page(struct page *page, struct page *src, size_t len)
{
	struct iov_iter iter;
	struct bio_vec bv;

	lock_page(page);
	iov_iter_bvec(&iter, 0, &bv, 1, len);
	if (copy_page_to_iter(src, 0, len, &iter) != len ||
	    egret_fill(src, &iter, len) != len) {
		unlock_page(page);
		return -EIO;
	}
	unlock_page(page);
	return 0;
}

static ssize_t egret_file_write_iter(struct kiocb *iocb, struct iov_iter *iter)
{
	if (iocb->ki_flags & IOCB_DIRECT)
		return egret_direct_write(iocb, iter);
	return egret_buffered_write(iocb, iter);
}

static vm_fault_t egret_page_fault(struct vm_fault *vmf)
{
	struct inode *inode = file_inode(vmf->vma->vm_file);
	struct egret_inode *ei = EGRET_I(inode);
	vm_fault_t ret;

	down_read(&ei->pagecache_lock);
	ret = filemap_fault(vmf);
	up_read(&ei->pagecache_lock);
	return ret;
}

static vm_fault_t egret_page_mkwrite(struct vm_fault *vmf)
{
	lock_page(vmf->page);
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct egret_file_vm_ops = {
	.fault		= egret_page_fault,
	.page_mkwrite	= egret_page_mkwrite,
};

static int egret_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &egret_file_vm_ops;
	return 0;
}

const struct file_operations egret_file_operations = {
	.write_iter	= egret_file_write_iter,
	.mmap		= egret_file_mmap,
};
