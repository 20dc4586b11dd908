/*
 * A small B-tree library that two filesystems (kestrel and plover) each carry
 * a private copy of, under the same global names, as hfs and hfsplus do;
 * written for lockscope's tests (not kernel source). Each module links its
 * own copy: a call from plover must reach plover's.
 */
#ifndef _LINUX_KBT_H
#define _LINUX_KBT_H

#include <linux/mutex.h>

struct kbt_tree {
	struct mutex	tree_lock;
	struct mutex	hash_lock;
	struct mutex	open_lock;
	int		depth;
	unsigned long	*bitmap;
};

int kbt_node_find(struct kbt_tree *tree, unsigned int key);
int kbt_node_hash(struct kbt_tree *tree, unsigned int key);
int kbt_bitmap_alloc(struct kbt_tree *tree);
int kbt_tree_open(struct kbt_tree *tree);

#endif /* _LINUX_KBT_H */
