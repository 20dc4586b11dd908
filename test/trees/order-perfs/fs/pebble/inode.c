// SPDX-License-Identifier: GPL-2.0
/* pebble relabels under the ledger lock (lockscope test tree, own writing). */
#include <linux/fs.h>

static int pebble_relabel(struct inode *inode, struct ledger *l)
{
	int err = 0;

	mutex_lock(&l->lock);
	if (!l->entries)
		err = -ENOENT;
	mutex_unlock(&l->lock);
	return err;
}

const struct inode_operations pebble_inode_operations = {
	.relabel	= pebble_relabel,
};
