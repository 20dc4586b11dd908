// SPDX-License-Identifier: GPL-2.0
/* Another filesystem's ->poke, which takes the same inode lock (lockscope test tree, own writing). */
#include <linux/fs.h>

static int beta_poke(struct inode *inode)
{
	spin_lock(&inode->i_lock);
	inode->i_size--;
	spin_unlock(&inode->i_lock);
	return 0;
}

const struct gizmo_ops beta_gizmo_ops = {
	.poke	= beta_poke,
};
