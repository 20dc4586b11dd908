/* Miniature VFS and mm interfaces for the documented-order trees (lockscope test tree, own writing). */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

struct rw_semaphore {
	long	count;
};

struct mm_struct {
	struct rw_semaphore	mmap_lock;
};

struct address_space {
	struct inode		*host;
	struct rw_semaphore	i_mmap_rwsem;
	struct rw_semaphore	invalidate_lock;
	unsigned long		nrpages;
};

struct inode {
	struct address_space	*i_mapping;
	struct rw_semaphore	i_rwsem;
	loff_t			i_size;
};

struct page {
	struct address_space	*mapping;
	unsigned long		index;
};

void inode_lock(struct inode *inode);
void inode_unlock(struct inode *inode);
void mmap_read_lock(struct mm_struct *mm);
void mmap_read_unlock(struct mm_struct *mm);
void i_mmap_lock_write(struct address_space *mapping);
void i_mmap_unlock_write(struct address_space *mapping);
void filemap_invalidate_lock(struct address_space *mapping);
void filemap_invalidate_unlock(struct address_space *mapping);
void lock_page(struct page *page);
void unlock_page(struct page *page);

#endif
