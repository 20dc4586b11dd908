/*
 * A miniature of the VFS and mm interfaces memory reclaim enters filesystems
 * through, written for lockscope's tests (not kernel source): superblocks and
 * inodes, the super and address-space operations, shrinkers, allocation flags
 * and the task's nofs scope.
 */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <linux/mutex.h>
#include <linux/rwsem.h>

typedef unsigned int gfp_t;

struct page;
struct writeback_control;
struct shrink_control;

struct super_block {
	void				*s_fs_info;
	const struct super_operations	*s_op;
};

struct inode {
	struct super_block	*i_sb;
	unsigned int		i_nlink;
	struct rw_semaphore	i_rwsem;
};

struct super_operations {
	struct inode *(*alloc_inode)(struct super_block *sb);
	void (*evict_inode)(struct inode *);
	void (*put_super)(struct super_block *);
};

struct address_space_operations {
	int (*writepage)(struct page *page, struct writeback_control *wbc);
};

struct shrinker {
	unsigned long (*count_objects)(struct shrinker *, struct shrink_control *sc);
	unsigned long (*scan_objects)(struct shrinker *, struct shrink_control *sc);
	int seeks;
};

void *kmalloc(size_t size, gfp_t flags);
void kfree(const void *p);
unsigned int memalloc_nofs_save(void);
void memalloc_nofs_restore(unsigned int flags);
void clear_inode(struct inode *inode);

#endif /* _LINUX_FS_H */
