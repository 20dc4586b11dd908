// SPDX-License-Identifier: GPL-2.0
/*
 * A node's release callback takes the list lock to unlink it; it is passed to kref_put(), which calls it
 * synchronously when the last reference goes (through a function-pointer parameter declared in place,
 * `void (*release)(struct kref *)`). Dropping a reference with the list lock held deadlocks; dropping it
 * after the unlock does not.
 */
#include <linux/kref.h>
#include <linux/mutex.h>

static struct mutex wrasse_list_lock;

struct wrasse_node {
	struct kref	ref;
	int		linked;
};

static void wrasse_node_release(struct kref *ref)
{
	mutex_lock(&wrasse_list_lock);
	((struct wrasse_node *)ref)->linked = 0;
	mutex_unlock(&wrasse_list_lock);
}

void wrasse_node_put_locked(struct wrasse_node *n)
{
	mutex_lock(&wrasse_list_lock);
	kref_put(&n->ref, wrasse_node_release); /* expect: recursive-lock */
	mutex_unlock(&wrasse_list_lock);
}

/* The twin: the last reference is dropped after the list lock is released. */
void wrasse_node_put(struct wrasse_node *n)
{
	mutex_lock(&wrasse_list_lock);
	n->linked++;
	mutex_unlock(&wrasse_list_lock);
	kref_put(&n->ref, wrasse_node_release);
}
