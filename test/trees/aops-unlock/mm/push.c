// SPDX-License-Identifier: GPL-2.0
/*
 * Write a locked folio through its mapping's ->writepage, which unlocks it by the
 * VFS contract (Documentation/filesystems/locking.rst: "writepage: yes, unlocks");
 * a clean folio is unlocked here. Either way the caller's folio comes back unlocked
 * (lockscope test tree, own writing).
 */
#include <linux/pagemap.h>

int folio_push_one(struct folio *folio)
{
	struct address_space *mapping = folio->mapping;
	struct writeback_control wbc = { .sync_mode = 1 };
	int ret = 0;

	if (folio_clear_dirty_for_io(folio))
		ret = mapping->a_ops->writepage(&folio->page, &wbc);
	else
		folio_unlock(folio);
	return ret;
}

/* ->launder_folio is called with the folio locked and returns it locked: the caller unlocks it */
int folio_launder_one(struct folio *folio)
{
	struct address_space *mapping = folio->mapping;
	int ret;

	folio_lock(folio);
	ret = mapping->a_ops->launder_folio(folio);
	folio_unlock(folio);
	return ret;
}
