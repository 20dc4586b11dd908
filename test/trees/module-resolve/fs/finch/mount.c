// SPDX-License-Identifier: GPL-2.0
/*
 * Finch stacks on plover and opens plover's trees through the one kbt function
 * plover exports; kbt_node_find() is private to each of kestrel and plover, so
 * finch cannot link to either copy (lockscope test tree, own writing).
 */
#include <linux/kernel.h>
#include <linux/kbt.h>

/* Positive: the exported kbt_tree_open() is plover's, which takes the open lock. */
int finch_mount(struct kbt_tree *lower)
{
	int err;

	mutex_lock(&lower->open_lock);
	err = kbt_tree_open(lower); /* expect: recursive-lock */
	mutex_unlock(&lower->open_lock);
	return err;
}

/* Negative: neither module exports kbt_node_find(); guessing kestrel's would report its tree lock. */
int finch_probe(struct kbt_tree *lower)
{
	int depth;

	mutex_lock(&lower->tree_lock);
#ifdef CONFIG_FINCH_DEBUG
	lower->depth = 0;
#endif
	depth = kbt_node_find(lower, 1);
	mutex_unlock(&lower->tree_lock);
	return depth;
}
