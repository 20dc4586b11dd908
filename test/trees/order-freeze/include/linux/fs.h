/*
 * Miniature VFS interfaces for the freeze-protection tree (lockscope test tree, own writing):
 * writers hold the superblock's freeze protection, a per-cpu rwsem freeze_super() takes for write.
 */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

struct sb_writers {
	struct percpu_rw_semaphore	rw_sem[3];
};

struct super_block {
	struct sb_writers	s_writers;
	void			*s_fs_info;
};

struct inode {
	struct rw_semaphore	i_rwsem;
	struct super_block	*i_sb;
	loff_t			i_size;
};

struct file {
	struct inode	*f_inode;
	loff_t		f_pos;
};

struct kiocb {
	struct file	*ki_filp;
	loff_t		ki_pos;
};

struct file_operations {
	ssize_t (*write_iter)(struct kiocb *, struct iov_iter *);
	long (*unlocked_ioctl)(struct file *, unsigned int, unsigned long);
	long (*fallocate)(struct file *, int, loff_t, loff_t);
};

#endif
