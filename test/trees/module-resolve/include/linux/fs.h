/*
 * A miniature of the VFS types the module-resolution tree needs, written for
 * lockscope's tests (not kernel source): inodes, the page cache's address
 * space and its ops table, files and their ops table.
 */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <linux/kernel.h>
#include <linux/mutex.h>

struct page;
struct file;

struct inode {
	struct mutex		i_mutex;
	struct address_space	*i_mapping;
	long long		i_size;
};

struct address_space_operations {
	int (*write_begin)(struct file *, struct address_space *, long long pos,
			   unsigned len, struct page **pagep);
	int (*write_end)(struct file *, struct address_space *, long long pos,
			 unsigned len, struct page *page);
};

struct address_space {
	struct inode				*host;
	const struct address_space_operations	*a_ops;
	struct mutex				private_lock;
};

struct file {
	struct inode			*f_inode;
	struct address_space		*f_mapping;
	const struct file_operations	*f_op;
};

struct file_operations {
	long (*write_iter)(struct file *, long long pos, unsigned len);
};

static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
}

long generic_perform_write(struct file *file, long long pos, unsigned len);

#endif /* _LINUX_FS_H */
