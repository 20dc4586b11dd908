/* Miniature VFS ops tables for the entry-state tests (lockscope test tree, own writing). */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

struct inode {
	struct rw_semaphore	i_rwsem;
	loff_t			i_size;
};

struct dentry {
	struct inode	*d_inode;
};

static inline struct inode *d_inode(const struct dentry *dentry)
{
	return dentry->d_inode;
}

struct inode_operations {
	int (*setattr)(struct user_namespace *, struct dentry *, struct iattr *);
	int (*fileattr_set)(struct user_namespace *, struct dentry *, struct fileattr *);
};

struct address_space_operations {
	int (*read_folio)(struct file *, struct folio *);
	int (*writepage)(struct page *, struct writeback_control *);
};

#endif
