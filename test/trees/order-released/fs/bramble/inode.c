// SPDX-License-Identifier: GPL-2.0
/*
 * bramble (lockscope test tree, own writing): birch's twin, except that the
 * helper keeps the map semaphore while it takes the tail mutex, against the
 * order write_inode keeps: an inversion.
 */
#include <linux/fs.h>

struct bramble_inode {
	struct rw_semaphore	map_sem;
	struct mutex		tail_mutex;
	loff_t			tail;
	struct inode		vfs_inode;
};

static inline struct bramble_inode *BRAMBLE_I(struct inode *inode)
{
	return container_of(inode, struct bramble_inode, vfs_inode);
}

/* called with map_sem held for write, and keeps it */
static int bramble_grow_tail(struct inode *inode, loff_t size)
{
	if (size <= BRAMBLE_I(inode)->tail)
		return 0;
	mutex_lock(&BRAMBLE_I(inode)->tail_mutex);
	BRAMBLE_I(inode)->tail = size;
	mutex_unlock(&BRAMBLE_I(inode)->tail_mutex);
	return 0;
}

static int bramble_setattr(struct inode *inode, struct iattr *attr)
{
	struct bramble_inode *bi;
	int err;

	bi = BRAMBLE_I(inode);
	down_write(&bi->map_sem);
	err = bramble_grow_tail(inode, attr->ia_size); /* expect: lock-order-inversion */
	up_write(&bi->map_sem);
	return err;
}

static int bramble_write_inode(struct inode *inode, struct writeback_control *wbc)
{
	struct bramble_inode *bi = BRAMBLE_I(inode);

	mutex_lock(&bi->tail_mutex);
	down_read(&bi->map_sem);
	inode->i_size = bi->tail;
	up_read(&bi->map_sem);
	mutex_unlock(&bi->tail_mutex);
	return 0;
}

const struct inode_operations bramble_inode_operations = {
	.setattr	= bramble_setattr,
};

const struct super_operations bramble_super_operations = {
	.write_inode	= bramble_write_inode,
};
