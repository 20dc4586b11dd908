// SPDX-License-Identifier: GPL-2.0
/* Starting writeback of a range (lockscope test tree, own writing). */
#include <linux/fs.h>

int filemap_fdatawrite_range(struct address_space *mapping, loff_t start, loff_t end)
{
	struct writeback_control wbc = {
		.nr_to_write	= LONG_MAX,
		.range_start	= start,
		.range_end	= end,
	};

	return do_writepages(mapping, &wbc);
}
