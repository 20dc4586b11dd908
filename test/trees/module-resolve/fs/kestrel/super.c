// SPDX-License-Identifier: GPL-2.0
/*
 * Kestrel's mount: opens its tree and looks up the root through its own kbt
 * copy, with no lock held (lockscope test tree, own writing).
 */
#include <linux/kernel.h>
#include <linux/kbt.h>

int kestrel_fill_super(struct kbt_tree *tree)
{
	int err;

	err = kbt_tree_open(tree);
	if (err)
		goto fail;
	err = kbt_node_find(tree, 0);
	if (err < 0)
		goto fail;
	return kbt_bitmap_alloc(tree);
fail:
	return err;
}
