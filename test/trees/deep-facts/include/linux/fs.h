/* A miniature VFS for the deep-facts test tree (lockscope test tree, own writing). */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

struct inode {
	struct rw_semaphore	i_rwsem;
	loff_t			i_size;
};

struct file {
	struct inode	*f_inode;
	void		*private_data;
};

struct file_operations {
	long (*unlocked_ioctl)(struct file *, unsigned int, unsigned long);
	int (*fsync)(struct file *, loff_t, loff_t, int);
};

#endif
