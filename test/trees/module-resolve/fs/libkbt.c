// SPDX-License-Identifier: GPL-2.0
/*
 * The built-in part of the kbt library: bitmap allocation, shared by every
 * filesystem that has no copy of its own. It takes no lock: callers hold the
 * tree's hash lock around it (lockscope test tree, own writing).
 */
#include <linux/kernel.h>
#include <linux/kbt.h>

int kbt_bitmap_alloc(struct kbt_tree *tree)
{
	int bit;

	for (bit = 0; bit < 64; bit++) {
		if (!(tree->bitmap[0] & (1UL << bit)))
			goto found;
	}
	return -1;
found:
	tree->bitmap[0] |= 1UL << bit;
	return bit;
}
EXPORT_SYMBOL_GPL(kbt_bitmap_alloc);
