/* Miniature VFS/mm interfaces for the seed-004 reconstruction (lockscope test tree, own writing). */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

struct writeback_control {
	long	nr_to_write;
	loff_t	range_start;
	loff_t	range_end;
};

struct address_space {
	struct inode					*host;
	const struct address_space_operations		*a_ops;
};

struct inode {
	struct address_space	*i_mapping;
	loff_t			i_size;
};

struct address_space_operations {
	int (*writepages)(struct address_space *, struct writeback_control *);
	ssize_t (*direct_IO)(struct kiocb *, struct iov_iter *);
};

int filemap_fdatawrite_range(struct address_space *mapping, loff_t start, loff_t end);
int do_writepages(struct address_space *mapping, struct writeback_control *wbc);

#endif
