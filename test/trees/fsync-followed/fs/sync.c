// SPDX-License-Identifier: GPL-2.0
/* The fsync entry point, reduced to its dispatch through ->fsync (lockscope test tree). */
#include <linux/fs.h>

int vfs_fsync_range(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file->f_mapping->host;

	if (!file->f_op->fsync)
		return -EINVAL;
	if (!datasync && (inode->i_state & I_DIRTY_TIME))
		mark_inode_dirty_sync(inode);
	return file->f_op->fsync(file, start, end, datasync);
}
