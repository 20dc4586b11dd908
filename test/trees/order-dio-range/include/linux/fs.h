/*
 * Miniature VFS, page-cache and block-mapping interfaces for the direct-read
 * vs buffered-write tree (lockscope test tree, own writing).
 */
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
	unsigned int		i_blkbits;
};

struct kiocb {
	struct file	*ki_filp;
	loff_t		ki_pos;
};

struct buffer_head {
	size_t		b_size;
	sector_t	b_blocknr;
};

/* a tree of locked byte ranges */
struct extent_io_tree {
	void	*root;
};

typedef int (get_block_t)(struct inode *inode, sector_t iblock, struct buffer_head *bh_result, int create);

struct address_space_operations {
	int (*writepages)(struct address_space *, struct writeback_control *);
};

int filemap_fdatawrite_range(struct address_space *mapping, loff_t start, loff_t end);
int do_writepages(struct address_space *mapping, struct writeback_control *wbc);
ssize_t dio_read_blocks(struct kiocb *iocb, struct inode *inode, struct iov_iter *iter, get_block_t get_block);

#endif
