// SPDX-License-Identifier: GPL-2.0
/*
 * A memory-backed filesystem's address space ops in mm/, beside the generic
 * write loop: its ->write_begin takes the inode mutex. A write that began in
 * another filesystem never reaches it (lockscope test tree, own writing).
 */
#include <linux/fs.h>

static int shmem_write_begin(struct file *file, struct address_space *mapping,
			     long long pos, unsigned len, struct page **pagep)
{
	struct inode *inode = mapping->host;

	mutex_lock(&inode->i_mutex);
	if (pos + len > inode->i_size)
		inode->i_size = pos + len;
	mutex_unlock(&inode->i_mutex);
	*pagep = 0;
	return 0;
}

static int shmem_write_end(struct file *file, struct address_space *mapping,
			   long long pos, unsigned len, struct page *page)
{
	return len;
}

const struct address_space_operations shmem_aops = {
	.write_begin	= shmem_write_begin,
	.write_end	= shmem_write_end,
};
