// SPDX-License-Identifier: GPL-2.0
/*
 * quill takes the same pairs of locks as in docorder-against, each the
 * way the kernel documents it (lockscope test tree, own writing): the
 * inode lock before mmap_lock and before a page lock, the invalidate
 * lock before i_mmap_rwsem (in a helper). Nothing is reported.
 */
#include <linux/fs.h>

int quill_refresh_size(struct mm_struct *mm, struct inode *inode)
{
	inode_lock(inode);
	mmap_read_lock(mm);
	inode->i_size = 0;
	mmap_read_unlock(mm);
	inode_unlock(inode);
	return 0;
}

int quill_page_size(struct page *page, struct inode *inode)
{
	inode_lock(inode);
	lock_page(page);
	page->index = inode->i_size;
	unlock_page(page);
	inode_unlock(inode);
	return 0;
}

static void quill_unmap_range(struct address_space *mapping)
{
	i_mmap_lock_write(mapping);
	mapping->nrpages = 0;
	i_mmap_unlock_write(mapping);
}

/* truncating takes the invalidate lock, then unmaps */
int quill_truncate(struct inode *inode)
{
	struct address_space *mapping = inode->i_mapping;

	filemap_invalidate_lock(mapping);
	quill_unmap_range(mapping);
	filemap_invalidate_unlock(mapping);
	return 0;
}
