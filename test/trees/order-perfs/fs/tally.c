// SPDX-License-Identifier: GPL-2.0
/*
 * The VFS side (lockscope test tree, own writing): each entry point takes one
 * lock and calls the filesystem's method, which may take another. The inode
 * lock taken here is of whichever filesystem the inode belongs to.
 */
#include <linux/fs.h>

int vfs_retag(struct inode *inode, struct tally *t)
{
	int ret = -EOPNOTSUPP;

	inode_lock(inode);
	if (inode->i_op->retag)
		ret = inode->i_op->retag(inode, t); /* expect: lock-order-inversion */
	inode_unlock(inode);
	return ret;
}

void tally_flush(struct tally *t, struct inode *inode)
{
	mutex_lock(&t->lock);
	if (inode->i_op->flush_tally)
		inode->i_op->flush_tally(inode, t);
	t->count = 0;
	mutex_unlock(&t->lock);
}

/*
 * The same two entry points for a ledger: no filesystem implements both
 * methods, so the inode lock held here and the one taken under the ledger
 * lock are of different filesystems, which lockdep keys apart.
 */
int vfs_relabel(struct inode *inode, struct ledger *l)
{
	int ret = -EOPNOTSUPP;

	inode_lock(inode);
	if (inode->i_op->relabel)
		ret = inode->i_op->relabel(inode, l);
	inode_unlock(inode);
	return ret;
}

void ledger_flush(struct ledger *l, struct inode *inode)
{
	mutex_lock(&l->lock);
	if (inode->i_op->flush_ledger)
		inode->i_op->flush_ledger(inode, l);
	l->entries = 0;
	mutex_unlock(&l->lock);
}
