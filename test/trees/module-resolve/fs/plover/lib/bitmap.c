// SPDX-License-Identifier: GPL-2.0
/*
 * Plover's bitmap helpers, linked into plover.o from lib/ (the build file
 * names them through $(addprefix)); it has no allocator of its own and uses
 * the built-in one (lockscope test tree, own writing).
 */
#include <linux/kbt.h>

int plover_bitmap_weight(struct kbt_tree *tree)
{
	unsigned long w = tree->bitmap[0];
	int n = 0;

	while (w) {
		n += w & 1;
		w >>= 1;
	}
	return n;
}
