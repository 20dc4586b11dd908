// SPDX-License-Identifier: GPL-2.0
/*
 * quill takes pairs of locks the kernel documents in the other order
 * (lockscope test tree, own writing): the inode lock under mmap_lock,
 * the inode lock under a page lock, and, in a helper called with
 * i_mmap_rwsem held, the invalidate lock. Each is one path: no cycle is
 * needed for the documented order to be broken.
 */
#include <linux/fs.h>

/* a fault-time refresh that wants the inode lock: mmap_lock is already held */
int quill_refresh_size(struct mm_struct *mm, struct inode *inode)
{
	mmap_read_lock(mm);
	inode_lock(inode); /* expect: documented-order-violation */
	inode->i_size = 0;
	inode_unlock(inode);
	mmap_read_unlock(mm);
	return 0;
}

/* a page is locked first, then its inode */
int quill_page_size(struct page *page, struct inode *inode)
{
	lock_page(page);
	inode_lock(inode); /* expect: documented-order-violation */
	page->index = inode->i_size;
	inode_unlock(inode);
	unlock_page(page);
	return 0;
}

static void quill_drop_cache(struct address_space *mapping)
{
	filemap_invalidate_lock(mapping);
	mapping->nrpages = 0;
	filemap_invalidate_unlock(mapping);
}

/* unmapping calls into the cache drop with i_mmap_rwsem held: reported at the call, as inversions are */
int quill_unmap(struct inode *inode)
{
	struct address_space *mapping = inode->i_mapping;

	i_mmap_lock_write(mapping);
	quill_drop_cache(mapping); /* expect: documented-order-violation */
	i_mmap_unlock_write(mapping);
	return 0;
}
