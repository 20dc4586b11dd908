// SPDX-License-Identifier: GPL-2.0
/*
 * A directory chunk is committed either by writing the page synchronously (the
 * writepage op unlocks it) or by unlocking it here, so the page comes back
 * unlocked on both arms (lockscope test tree, own writing).
 */
#include <linux/pagemap.h>

static int quux_commit_chunk(struct page *page, struct inode *dir)
{
	int err = 0;

	if (IS_DIRSYNC(dir))
		err = page_push_one(page);
	else
		unlock_page(page);
	return err;
}

int quux_make_empty(struct inode *dir)
{
	struct page *page = grab_cache_page(dir->i_mapping, 0);
	int err;

	if (!page)
		return -ENOMEM;
	err = quux_prepare_chunk(page);
	if (err) {
		unlock_page(page);
		goto fail;
	}
	err = quux_commit_chunk(page, dir);
fail:
	put_page(page);
	return err;
}

int quux_set_link(struct page *page, struct inode *dir)
{
	int err;

	lock_page(page);
	err = quux_commit_chunk(page, dir);
	unlock_page(page); /* expect: double-unlock */
	return err;
}
