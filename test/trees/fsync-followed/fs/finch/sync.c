// SPDX-License-Identifier: GPL-2.0
#include <linux/fs.h>

int finch_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file_inode(file);

	inode_lock(inode);
	inode->i_state = 0;
	inode_unlock(inode);
	return 0;
}
