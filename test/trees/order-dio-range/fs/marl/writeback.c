// SPDX-License-Identifier: GPL-2.0
/* Writing back dirty pages: each one is locked (lockscope test tree, own writing). */
#include "marl.h"

int marl_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	pgoff_t index = wbc->range_start >> PAGE_SHIFT;
	pgoff_t end = wbc->range_end >> PAGE_SHIFT;
	struct folio *folio;

	for (; index <= end; index++) {
		folio = __filemap_get_folio(mapping, index, FGP_LOCK, 0);
		if (!folio)
			continue;
		marl_write_folio(folio, wbc);
		folio_unlock(folio);
		folio_put(folio);
	}
	return 0;
}
