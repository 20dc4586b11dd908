// SPDX-License-Identifier: GPL-2.0
/* Writeback goes through the mapping's ->writepages (lockscope test tree, own writing). */
#include <linux/fs.h>

int do_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	if (wbc->nr_to_write <= 0)
		return 0;
	if (!mapping->a_ops->writepages)
		return -EINVAL;
	return mapping->a_ops->writepages(mapping, wbc);
}
