/* Miniature VFS and page-cache interfaces for the page lock class tree (lockscope test tree, own writing). */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

struct super_block {
	void	*s_fs_info;
};

struct address_space {
	struct inode	*host;
	unsigned long	nrpages;
};

struct inode {
	struct address_space	*i_mapping;
	struct super_block	*i_sb;
	loff_t			i_size;
};

struct page {
	struct address_space	*mapping;
	unsigned long		index;
};

struct page *find_lock_page(struct address_space *mapping, pgoff_t index);
struct page *find_or_create_page(struct address_space *mapping, pgoff_t index, gfp_t gfp);
struct page *grab_cache_page_write_begin(struct address_space *mapping, pgoff_t index);
struct page *alloc_page(gfp_t gfp);

#endif
