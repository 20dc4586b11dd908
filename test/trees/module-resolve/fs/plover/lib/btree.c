// SPDX-License-Identifier: GPL-2.0
/*
 * Plover's private copy of the kbt B-tree code, under the same global names as
 * kestrel's: here the node lookup takes no lock (plover's callers hold the tree
 * lock), the hash walk takes the hash lock, and opening a tree takes the open
 * lock and is exported for the stacked filesystem (finch) to use (lockscope
 * test tree, own writing).
 */
#include <linux/kernel.h>
#include <linux/kbt.h>

int kbt_node_find(struct kbt_tree *tree, unsigned int key)
{
	int depth;

	for (depth = 0; depth < tree->depth; depth++)
		if (key & (1u << depth))
			return depth;
	return -1;
}

int kbt_node_hash(struct kbt_tree *tree, unsigned int key)
{
	int h;

	mutex_lock(&tree->hash_lock);
	h = (key * 17) % (tree->depth + 1);
	mutex_unlock(&tree->hash_lock);
	return h;
}

int kbt_tree_open(struct kbt_tree *tree)
{
	mutex_lock(&tree->open_lock);
	tree->depth = 1;
	mutex_unlock(&tree->open_lock);
	return 0;
}
EXPORT_SYMBOL_GPL(kbt_tree_open);
