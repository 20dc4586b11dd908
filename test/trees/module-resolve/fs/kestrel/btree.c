// SPDX-License-Identifier: GPL-2.0
/*
 * Kestrel's private copy of the kbt B-tree code. Its node lookup takes the
 * tree lock itself; its hash walk takes none; it carries its own bitmap
 * allocator (under the hash lock) rather than the built-in one. None of these
 * is exported: they are kestrel's, and a call from another module never
 * reaches them (lockscope test tree, own writing).
 */
#include <linux/kernel.h>
#include <linux/kbt.h>

int kbt_node_find(struct kbt_tree *tree, unsigned int key)
{
	int depth, ret = -1;

	mutex_lock(&tree->tree_lock);
	for (depth = 0; depth < tree->depth; depth++) {
		if (key & (1u << depth))
			goto out;
	}
	ret = depth;
out:
	mutex_unlock(&tree->tree_lock);
	return ret;
}

int kbt_node_hash(struct kbt_tree *tree, unsigned int key)
{
	return (key * 31) % (tree->depth + 1);
}

int kbt_bitmap_alloc(struct kbt_tree *tree)
{
	int bit = -1;

	mutex_lock(&tree->hash_lock);
	if (tree->bitmap)
		bit = 0;
	mutex_unlock(&tree->hash_lock);
	return bit;
}

int kbt_tree_open(struct kbt_tree *tree)
{
	tree->depth = 1;
	return 0;
}
