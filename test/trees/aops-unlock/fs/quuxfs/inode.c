// SPDX-License-Identifier: GPL-2.0
/*
 * quuxfs_read_folio is the ->read_folio op: it hands the locked folio to a read
 * whose completion unlocks it, which is the contract. Called directly, it still
 * returns with the folio unlocked (for lock_folio's purposes), so locking it again
 * is not recursive. ->launder_folio has no such contract: a folio handed to it is
 * still locked afterwards (lockscope test tree, own writing).
 */
#include <linux/pagemap.h>

static int quuxfs_read_folio(struct file *file, struct folio *folio)
{
	return quuxfs_submit_read(folio);
}

static int quuxfs_writepage(struct page *page, struct writeback_control *wbc)
{
	return quuxfs_submit_write(page, wbc);
}

static int quuxfs_launder_folio(struct folio *folio)
{
	return quuxfs_submit_write(&folio->page, NULL);
}

const struct address_space_operations quuxfs_aops = {
	.read_folio	= quuxfs_read_folio,
	.writepage	= quuxfs_writepage,
	.launder_folio	= quuxfs_launder_folio,
};

int quuxfs_relocate_page(struct page *page)
{
	int ret = 0;

	lock_page(page);
	if (!quuxfs_uptodate(page)) {
		quuxfs_read_folio(NULL, page_folio(page));
		lock_page(page);
		if (!quuxfs_uptodate(page))
			ret = -EIO;
	}
	unlock_page(page);
	return ret;
}

int quuxfs_launder_page(struct page *page)
{
	int ret;

	lock_page(page);
	ret = quuxfs_launder_folio(page_folio(page));
	lock_page(page); /* expect: recursive-lock */
	unlock_page(page);
	return ret;
}
