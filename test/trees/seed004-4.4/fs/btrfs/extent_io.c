// SPDX-License-Identifier: GPL-2.0
/* Writing back dirty pages: each page is locked (lockscope test tree, own writing). */
#include <linux/fs.h>
#include <linux/pagemap.h>

static int extent_write_cache_pages(struct address_space *mapping, struct writeback_control *wbc)
{
	struct page *page;
	pgoff_t index = wbc->range_start >> PAGE_SHIFT;

	while ((page = find_get_page_tag(mapping, &index, PAGECACHE_TAG_WRITEBACK))) {
		lock_page(page);
		if (page->mapping == mapping)
			write_one_page_locked(page, wbc);
		unlock_page(page);
		put_page(page);
	}
	return 0;
}

int extent_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	return extent_write_cache_pages(mapping, wbc);
}
