// SPDX-License-Identifier: GPL-2.0
/*
 * quire's node writeback and page fault (lockscope test tree, own writing): the
 * sync holds node_sem and locks every dirty page it finds in a batch lookup of
 * the file's own pages (quern's twin): the fault holds one of them
 * and waits for node_sem, the sync holds node_sem and waits for it.
 */
#include "quire.h"

static int quire_sync_nodes(struct inode *inode)
{
	struct quire_sb_info *sbi = QUIRE_SB(inode->i_sb);
	struct pagevec pvec;
	pgoff_t index = 0;
	int i, nr;

	down_write(&sbi->node_sem);
	pagevec_init(&pvec);
	while ((nr = pagevec_lookup_tag(&pvec, inode->i_mapping, &index, PAGECACHE_TAG_DIRTY))) {
		for (i = 0; i < nr; i++) {
			struct page *page = pvec.pages[i];

			lock_page(page); /* expect: lock-order-inversion */
			quire_write_node_page(page);
			unlock_page(page);
		}
		pagevec_release(&pvec);
	}
	up_write(&sbi->node_sem);
	return 0;
}

static vm_fault_t quire_page_mkwrite(struct vm_fault *vmf)
{
	struct page *page = vmf->page;
	struct inode *inode = file_inode(vmf->vma->vm_file);
	struct quire_sb_info *sbi = QUIRE_SB(inode->i_sb);

	lock_page(page);
	down_read(&sbi->node_sem);
	quire_reserve_node(inode, page->index);
	up_read(&sbi->node_sem);
	unlock_page(page);
	return VM_FAULT_LOCKED;
}

static int quire_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	return quire_sync_nodes(file_inode(file));
}

const struct vm_operations_struct quire_file_vm_ops = {
	.page_mkwrite	= quire_page_mkwrite,
};

const struct file_operations quire_file_operations = {
	.fsync		= quire_fsync,
};
