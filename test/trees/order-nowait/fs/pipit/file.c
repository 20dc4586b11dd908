// SPDX-License-Identifier: GPL-2.0
/*
 * A page-cache lookup that locks the folio only if it can without waiting
 * (FGP_NOWAIT) is a trylock: it can never wait for the folio lock while a
 * mutex is held, so it orders nothing (lockscope test tree, own writing). The
 * buffered write holds a data folio while it takes both mutexes; the
 * allocator locks the next folio under alloc_mutex and waits for it (an
 * inversion), the scanner does the same under scan_mutex without waiting (no
 * inversion).
 */
#include <linux/fs.h>
#include "pipit.h"

static int pipit_write_folio(struct inode *inode, pgoff_t index)
{
	struct pipit_sb_info *sbi = PIPIT_SB(inode->i_sb);
	struct folio *folio;

	folio = __filemap_get_folio(inode->i_mapping, index, FGP_LOCK, GFP_NOFS);
	if (!folio)
		return -ENOMEM;
	mutex_lock(&sbi->alloc_mutex); /* expect: lock-order-inversion */
	mutex_unlock(&sbi->alloc_mutex);
	mutex_lock(&sbi->scan_mutex);
	mutex_unlock(&sbi->scan_mutex);
	folio_unlock(folio);
	folio_put(folio);
	return 0;
}

static int pipit_alloc_next(struct pipit_sb_info *sbi, struct inode *inode, pgoff_t index)
{
	struct folio *folio;

	mutex_lock(&sbi->alloc_mutex);
	folio = __filemap_get_folio(inode->i_mapping, index + 1, FGP_LOCK, GFP_NOFS);
	if (folio) {
		folio_unlock(folio);
		folio_put(folio);
	}
	mutex_unlock(&sbi->alloc_mutex);
	return 0;
}

static int pipit_scan_next(struct pipit_sb_info *sbi, struct inode *inode, pgoff_t index)
{
	struct folio *folio;

	mutex_lock(&sbi->scan_mutex);
	folio = __filemap_get_folio(inode->i_mapping, index + 1, FGP_LOCK | FGP_NOWAIT, GFP_NOFS);
	if (folio) {
		folio_unlock(folio);
		folio_put(folio);
	}
	mutex_unlock(&sbi->scan_mutex);
	return 0;
}

const struct address_space_operations pipit_aops = {
	.write_folio	= pipit_write_folio,
};
