// SPDX-License-Identifier: GPL-2.0
/*
 * Kestrel's buffered write: the inode mutex is held across the generic write
 * loop, which calls back into kestrel's ->write_begin/->write_end through the
 * address space's ops table (lockscope test tree, own writing).
 */
#include <linux/fs.h>

static int kestrel_write_begin(struct file *file, struct address_space *mapping,
			       long long pos, unsigned len, struct page **pagep)
{
	mutex_lock(&mapping->private_lock);
	*pagep = 0;
	mutex_unlock(&mapping->private_lock);
	return 0;
}

static int kestrel_write_end(struct file *file, struct address_space *mapping,
			     long long pos, unsigned len, struct page *page)
{
	return len;
}

static const struct address_space_operations kestrel_aops = {
	.write_begin	= kestrel_write_begin,
	.write_end	= kestrel_write_end,
};

static long kestrel_buffered_write(struct file *file, long long pos, unsigned len)
{
	return generic_perform_write(file, pos, len);
}

static long kestrel_file_write_iter(struct file *file, long long pos, unsigned len)
{
	struct inode *inode = file_inode(file);
	long ret;

	mutex_lock(&inode->i_mutex);
	ret = kestrel_buffered_write(file, pos, len);
	mutex_unlock(&inode->i_mutex);
	return ret;
}

const struct file_operations kestrel_file_operations = {
	.write_iter	= kestrel_file_write_iter,
};

void kestrel_set_aops(struct inode *inode)
{
	inode->i_mapping->a_ops = &kestrel_aops;
}
