// SPDX-License-Identifier: GPL-2.0
/*
 * quern's node writeback and page fault (lockscope test tree, own writing): the
 * sync holds node_sem and locks every dirty page it finds in a batch lookup of
 * the node inode's pages: an internal inode's, never a file page a fault
 * holds. No cycle.
 */
#include "quern.h"

static int quern_sync_nodes(struct inode *inode)
{
	struct quern_sb_info *sbi = QUERN_SB(inode->i_sb);
	struct pagevec pvec;
	pgoff_t index = 0;
	int i, nr;

	down_write(&sbi->node_sem);
	pagevec_init(&pvec);
	while ((nr = pagevec_lookup_tag(&pvec, QUERN_NODE_MAPPING(sbi), &index, PAGECACHE_TAG_DIRTY))) {
		for (i = 0; i < nr; i++) {
			struct page *page = pvec.pages[i];

			lock_page(page);
			quern_write_node_page(page);
			unlock_page(page);
		}
		pagevec_release(&pvec);
	}
	up_write(&sbi->node_sem);
	return 0;
}

static vm_fault_t quern_page_mkwrite(struct vm_fault *vmf)
{
	struct page *page = vmf->page;
	struct inode *inode = file_inode(vmf->vma->vm_file);
	struct quern_sb_info *sbi = QUERN_SB(inode->i_sb);

	lock_page(page);
	down_read(&sbi->node_sem);
	quern_reserve_node(inode, page->index);
	up_read(&sbi->node_sem);
	unlock_page(page);
	return VM_FAULT_LOCKED;
}

static int quern_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	return quern_sync_nodes(file_inode(file));
}

const struct vm_operations_struct quern_file_vm_ops = {
	.page_mkwrite	= quern_page_mkwrite,
};

const struct file_operations quern_file_operations = {
	.fsync		= quern_fsync,
};
