/* Miniature VFS interfaces for the released-lock tree (lockscope test tree, own writing). */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

struct inode {
	loff_t		i_size;
};

struct iattr {
	loff_t	ia_size;
};

struct writeback_control;

struct inode_operations {
	int (*setattr)(struct inode *, struct iattr *);
};

struct super_operations {
	int (*write_inode)(struct inode *, struct writeback_control *);
};

#endif
