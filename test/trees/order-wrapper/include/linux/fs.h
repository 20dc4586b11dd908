/* Miniature VFS interfaces for the lock-wrapper tree (lockscope test tree, own writing). */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

struct super_block {
	void	*s_fs_info;
};

struct inode {
	struct rw_semaphore	i_rwsem;
	struct super_block	*i_sb;
	loff_t			i_size;
};

struct iattr {
	loff_t	ia_size;
};

struct inode_operations {
	int (*setattr)(struct inode *, struct iattr *);
};

struct super_operations {
	int (*sync_fs)(struct super_block *, int);
};

#endif
