// SPDX-License-Identifier: GPL-2.0
/* spoke flushes a ledger under its own inode lock (lockscope test tree, own writing). */
#include <linux/fs.h>

static void spoke_flush_ledger(struct inode *inode, struct ledger *l)
{
	inode_lock(inode);
	l->entries--;
	inode_unlock(inode);
}

const struct inode_operations spoke_inode_operations = {
	.flush_ledger	= spoke_flush_ledger,
};
