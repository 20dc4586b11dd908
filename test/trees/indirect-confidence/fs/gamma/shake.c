// SPDX-License-Identifier: GPL-2.0
/*
 * gamma has no ->poke of its own: the call resolves among every candidate of the tree (alpha's and
 * beta's), a guess about which filesystem the object belongs to (low). Lockscope test tree, own writing.
 */
#include <linux/fs.h>

int gamma_shake(struct gizmo *g)
{
	int ret;

	spin_lock(&g->inode->i_lock);
	ret = g->ops->poke(g->inode); /* expect: recursive-lock@low */
	spin_unlock(&g->inode->i_lock);
	return ret;
}
