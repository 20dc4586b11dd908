// SPDX-License-Identifier: GPL-2.0
/*
 * Plover's callers of the kbt library. Plover links its own copy (lib/btree.c,
 * one module with this file by its Makefile), so its calls reach plover's
 * functions, not kestrel's of the same names, and the built-in allocator where
 * plover has none (lockscope test tree, own writing).
 */
#include <linux/kernel.h>
#include <linux/kbt.h>

/* Positive: plover's kbt_node_hash() takes the hash lock this caller holds. */
int plover_rehash(struct kbt_tree *tree, unsigned int key)
{
	int h;

	mutex_lock(&tree->hash_lock);
	h = kbt_node_hash(tree, key); /* expect: recursive-lock */
	mutex_unlock(&tree->hash_lock);
	return h;
}

/* Negative: plover's kbt_node_find() takes no lock (kestrel's would take the tree lock). */
int plover_lookup(struct kbt_tree *tree, unsigned int key)
{
	int depth;

	mutex_lock(&tree->tree_lock);
	depth = kbt_node_find(tree, key);
	mutex_unlock(&tree->tree_lock);
	return depth;
}

/* Negative: the built-in allocator takes no lock (kestrel's private copy would take the hash lock). */
int plover_grow(struct kbt_tree *tree)
{
	int bit;

	mutex_lock(&tree->hash_lock);
	bit = kbt_bitmap_alloc(tree);
	if (bit < 0)
		goto out;
	tree->depth++;
out:
	mutex_unlock(&tree->hash_lock);
	return bit;
}
