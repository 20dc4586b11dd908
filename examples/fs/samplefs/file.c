// SPDX-License-Identifier: GPL-2.0
/*
 * samplefs file operations.
 */
#include <linux/lockstubs.h>
#include "samplefs.h"

/* Takes the extent mutex for an operation on the file's extents. */
static void samplefs_extent_op_begin(struct samplefs_inode_info *si)
{
	mutex_lock(&si->i_extent_mutex);
	si->i_state |= SAMPLEFS_INODE_DIRTY;
}

static void samplefs_extent_op_end(struct samplefs_inode_info *si)
{
	mutex_unlock(&si->i_extent_mutex);
}

static int samplefs_alloc_blocks(struct samplefs_sb_info *sbi, u64 len)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&sbi->s_inode_list_lock, flags);
	if (sbi->s_free_blocks < len)
		ret = -ENOSPC;
	else
		sbi->s_free_blocks -= len;
	spin_unlock_irqrestore(&sbi->s_inode_list_lock, flags);
	return ret;
}

static ssize_t samplefs_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct samplefs_inode_info *si = SAMPLEFS_I(inode);
	ssize_t ret;

	if (iocb->ki_flags & IOCB_NOWAIT) {
		if (!inode_trylock(inode))
			return -EAGAIN;
	} else {
		inode_lock(inode);
	}

	ret = generic_write_checks(iocb, from);
	if (ret <= 0)
		goto out_unlock;

	ret = samplefs_alloc_blocks(SAMPLEFS_SB(inode->i_sb), iov_iter_count(from));
	if (ret)
		goto out_unlock;

	samplefs_extent_op_begin(si);
	ret = generic_perform_write(iocb, from);
	samplefs_extent_op_end(si);

out_unlock:
	inode_unlock(inode);
	return ret;
}

static int samplefs_punch_hole(struct inode *inode, loff_t start, loff_t len)
{
	struct samplefs_inode_info *si = SAMPLEFS_I(inode);

	inode_lock(inode);
	mutex_lock(&si->i_extent_mutex);
	if (start >= inode->i_size) {
		mutex_unlock(&si->i_extent_mutex);
		goto out;
	}

	/* zero the partial block, then drop the cached pages */
	samplefs_extent_op_begin(si); /* expect: recursive-lock */
	truncate_pagecache_range(inode, start, start + len - 1);
	samplefs_extent_op_end(si);
out:
	inode_unlock(inode);
	return 0;
}

static long samplefs_fallocate(struct file *file, int mode, loff_t offset, loff_t len)
{
	struct inode *inode = file_inode(file);
	struct samplefs_inode_info *si = SAMPLEFS_I(inode);
	int ret;

	if (mode & FALLOC_FL_PUNCH_HOLE)
		return samplefs_punch_hole(inode, offset, len);

	inode_lock(inode);
	ret = inode_newsize_ok(inode, offset + len);
	if (ret)
		goto out_unlock;

	mutex_lock(&si->i_extent_mutex);
	ret = samplefs_alloc_blocks(SAMPLEFS_SB(inode->i_sb), len);
	if (ret) {
		mutex_unlock(&si->i_extent_mutex);
		goto out_extent;
	}
	si->i_disk_bytenr = offset;

out_extent:
	mutex_unlock(&si->i_extent_mutex); /* expect: double-unlock */
out_unlock:
	inode_unlock(inode);
	return ret;
}

int samplefs_sync_file(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file_inode(file);
	struct samplefs_sb_info *sbi = SAMPLEFS_SB(inode->i_sb);
	int ret;

	ret = file_write_and_wait_range(file, start, end);
	if (ret)
		return ret;

	inode_lock(inode);
	ret = samplefs_write_inode(inode, true);
	inode_unlock(inode);
	if (ret)
		return ret;

	guard(mutex)(&sbi->s_commit_mutex);
	if (datasync)
		return 0;
	return samplefs_commit(inode->i_sb); /* expect: recursive-lock */
}

#ifdef CONFIG_SAMPLEFS_DEBUG
static int samplefs_open(struct inode *inode, struct file *file)
{
	struct samplefs_inode_info *si = SAMPLEFS_I(inode);

	scoped_guard(spinlock, &si->i_state_lock) {
		if (si->i_state & SAMPLEFS_INODE_FROZEN)
			return -EBUSY;
	}
	return generic_file_open(inode, file);
}
#else
#define samplefs_open generic_file_open
#endif

const struct file_operations samplefs_file_operations = {
	.read_iter	= generic_file_read_iter,
	.write_iter	= samplefs_file_write_iter,
	.fsync		= samplefs_sync_file,
	.open		= samplefs_open,
};

/* O_SYNC append: syncs the file while still holding its inode lock. */
static ssize_t samplefs_append_sync(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	inode_lock(inode);
	ret = generic_perform_write(iocb, from);
	if (ret > 0)
		ret = generic_write_sync(iocb, ret); /* expect: forbidden-call */
	inode_unlock(inode);
	return ret;
}

/* A write fault on a shared mapping: give the file its block, an extent operation. */
static vm_fault_t samplefs_page_mkwrite(struct vm_fault *vmf)
{
	struct inode *inode = file_inode(vmf->vma->vm_file);
	struct samplefs_inode_info *si = SAMPLEFS_I(inode);

	samplefs_extent_op_begin(si);
	if (!si->i_disk_bytenr && !samplefs_alloc_blocks(SAMPLEFS_SB(inode->i_sb), 1))
		si->i_disk_bytenr = 1;
	samplefs_extent_op_end(si);
	return 0;
}

static const struct vm_operations_struct samplefs_file_vm_ops = {
	.fault		= filemap_fault,
	.page_mkwrite	= samplefs_page_mkwrite,
};

/*
 * The GETMAP ioctl: tell user space where the file's data lives. The address
 * is copied out with the extent mutex held; if the user's buffer is a shared
 * mapping of the same file, the write fault waits for that mutex.
 */
static long samplefs_copy_map(struct samplefs_inode_info *si, u64 *uaddr)
{
	long ret = 0;

	mutex_lock(&si->i_extent_mutex);
	if (put_user(si->i_disk_bytenr, uaddr)) /* expect: fault-under-lock */
		ret = -EFAULT;
	mutex_unlock(&si->i_extent_mutex);
	return ret;
}

static long samplefs_ioctl_getmap(struct file *file, u64 *uaddr)
{
	return samplefs_copy_map(SAMPLEFS_I(file_inode(file)), uaddr);
}

/*
 * Writeback met a page past i_size (a racing extend): fix the size from the
 * page. The page is locked and the inode lock is taken under it, while the
 * kernel documents the inode lock first, then page locks.
 */
void samplefs_fixup_size(struct inode *inode, struct page *page, loff_t end)
{
	lock_page(page);
	if (end > inode->i_size) {
		inode_lock(inode); /* expect: documented-order-violation */
		inode->i_size = end;
		inode_unlock(inode);
	}
	unlock_page(page);
}
