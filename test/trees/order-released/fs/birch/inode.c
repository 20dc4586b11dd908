// SPDX-License-Identifier: GPL-2.0
/*
 * birch (lockscope test tree, own writing): growing a file's tail needs the
 * tail mutex, which ranks above the map semaphore, so the helper drops the map
 * semaphore its caller holds before it takes the mutex, and takes it back after.
 * setattr names the semaphore through a pointer it assigns after declaring it;
 * the helper names it through the inode. No inversion: the mutex is never
 * waited for with the semaphore held.
 */
#include <linux/fs.h>

struct birch_inode {
	struct rw_semaphore	map_sem;
	struct mutex		tail_mutex;
	loff_t			tail;
	struct inode		vfs_inode;
};

static inline struct birch_inode *BIRCH_I(struct inode *inode)
{
	return container_of(inode, struct birch_inode, vfs_inode);
}

/* called with map_sem held for write; drops it around the tail mutex */
static int birch_grow_tail(struct inode *inode, loff_t size)
{
	if (size <= BIRCH_I(inode)->tail)
		return 0;
	up_write(&BIRCH_I(inode)->map_sem);
	mutex_lock(&BIRCH_I(inode)->tail_mutex);
	BIRCH_I(inode)->tail = size;
	mutex_unlock(&BIRCH_I(inode)->tail_mutex);
	down_write(&BIRCH_I(inode)->map_sem);
	return 0;
}

static int birch_setattr(struct inode *inode, struct iattr *attr)
{
	struct birch_inode *bi;
	int err;

	bi = BIRCH_I(inode);
	down_write(&bi->map_sem);
	err = birch_grow_tail(inode, attr->ia_size);
	up_write(&bi->map_sem);
	return err;
}

static int birch_write_inode(struct inode *inode, struct writeback_control *wbc)
{
	struct birch_inode *bi = BIRCH_I(inode);

	mutex_lock(&bi->tail_mutex);
	down_read(&bi->map_sem);
	inode->i_size = bi->tail;
	up_read(&bi->map_sem);
	mutex_unlock(&bi->tail_mutex);
	return 0;
}

const struct inode_operations birch_inode_operations = {
	.setattr	= birch_setattr,
};

const struct super_operations birch_super_operations = {
	.write_inode	= birch_write_inode,
};
