// SPDX-License-Identifier: GPL-2.0
/* Writeback dispatch through ->writepages (lockscope test tree, own writing). */
#include <linux/fs.h>

int do_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	int ret;

	if (wbc->nr_to_write <= 0)
		return 0;
	if (mapping->a_ops->writepages)
		ret = mapping->a_ops->writepages(mapping, wbc);
	else
		ret = generic_writepages(mapping, wbc);
	return ret;
}
