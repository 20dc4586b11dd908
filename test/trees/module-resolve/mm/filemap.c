// SPDX-License-Identifier: GPL-2.0
/*
 * The generic buffered write loop: each chunk goes through the mapping's
 * ->write_begin and ->write_end (lockscope test tree, own writing).
 */
#include <linux/fs.h>

long generic_perform_write(struct file *file, long long pos, unsigned len)
{
	struct address_space *mapping = file->f_mapping;
	const struct address_space_operations *a_ops = mapping->a_ops;
	struct page *page;
	long written = 0;
	int status;

	do {
		status = a_ops->write_begin(file, mapping, pos, len, &page);
		if (status < 0)
			break;
		status = a_ops->write_end(file, mapping, pos, len, page);
		if (status < 0)
			break;
		written += status;
	} while (written < len);
	return written ? written : status;
}
