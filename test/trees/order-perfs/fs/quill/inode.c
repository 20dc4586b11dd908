// SPDX-License-Identifier: GPL-2.0
/*
 * quill implements both tally methods (lockscope test tree, own writing):
 * retag takes the tally lock under the inode lock the VFS holds, and
 * flush_tally takes quill's inode lock under the tally lock: an inversion
 * between two classes that are both quill's.
 */
#include <linux/fs.h>

static int quill_retag(struct inode *inode, struct tally *t)
{
	mutex_lock(&t->lock);
	t->count++;
	mutex_unlock(&t->lock);
	return 0;
}

static void quill_flush_tally(struct inode *inode, struct tally *t)
{
	inode_lock(inode);
	inode->i_ino++;
	inode_unlock(inode);
}

const struct inode_operations quill_file_inode_operations = {
	.retag		= quill_retag,
	.flush_tally	= quill_flush_tally,
};
