/* Miniature pagemap.h: write one locked page out (lockscope test tree, own writing). */
#ifndef _LINUX_PAGEMAP_H
#define _LINUX_PAGEMAP_H

#include <linux/fs.h>

int folio_push_one(struct folio *folio);

static inline int page_push_one(struct page *page)
{
	return folio_push_one(page_folio(page));
}

#endif
