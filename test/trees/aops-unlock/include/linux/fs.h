/* Miniature page cache and address_space_operations (lockscope test tree, own writing). */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

struct address_space;
struct writeback_control {
	int sync_mode;
};

struct page {
	unsigned long flags;
	struct address_space *mapping;
};

struct folio {
	struct page page;
	struct address_space *mapping;
};

struct inode {
	unsigned int i_flags;
	struct address_space *i_mapping;
};

struct address_space_operations {
	int (*writepage)(struct page *page, struct writeback_control *wbc);
	int (*read_folio)(struct file *, struct folio *);
	int (*launder_folio)(struct folio *);
};

struct address_space {
	struct inode *host;
	const struct address_space_operations *a_ops;
};

static inline struct folio *page_folio(struct page *page)
{
	return (struct folio *)page;
}

#define IS_DIRSYNC(inode) ((inode)->i_flags & 1)

#endif
