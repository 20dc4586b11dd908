// SPDX-License-Identifier: GPL-2.0
/*
 * Confidence of a path through an ops-table call (lockscope test tree, own writing). alpha_kick() is
 * installed in alpha_gizmo_ops, so its ->poke resolves through its own table to alpha_poke(): what the
 * code says, high. alpha_nudge() is in no table: its ->poke resolves by directory (medium).
 */
#include <linux/fs.h>

static int alpha_poke(struct inode *inode)
{
	spin_lock(&inode->i_lock);
	inode->i_size++;
	spin_unlock(&inode->i_lock);
	return 0;
}

static int alpha_kick(struct gizmo *g)
{
	int ret;

	spin_lock(&g->inode->i_lock);
	ret = g->ops->poke(g->inode); /* expect: recursive-lock */
	spin_unlock(&g->inode->i_lock);
	return ret;
}

const struct gizmo_ops alpha_gizmo_ops = {
	.poke	= alpha_poke,
	.kick	= alpha_kick,
};

int alpha_nudge(struct gizmo *g)
{
	int ret;

	spin_lock(&g->inode->i_lock);
	ret = g->ops->poke(g->inode); /* expect: recursive-lock@medium */
	spin_unlock(&g->inode->i_lock);
	return ret;
}
