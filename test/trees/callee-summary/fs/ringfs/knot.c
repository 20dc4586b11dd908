/*
 * A helper that drops its argument's node lock, and the owner's lock only when the node has an owner
 * (released through the callee's own path node->owner), then calls an ops method we cannot see and
 * sleeps. The method is given the node, but a lock already released before it stays released; and the
 * caller holding owner->lock through that very pointer means the owner is there, so the helper drops
 * it too: knot_kill sleeps in no atomic section. knot_drop_bad unlocks k->lock a second time after the
 * method: the method does not give it back.
 */
#include <linux/spinlock.h>
#include <linux/sched.h>

struct knot_owner {
	spinlock_t lock;
	int count;
};

struct knot;

struct knot_ops {
	void (*release)(struct knot *k);
};

struct knot {
	spinlock_t lock;
	struct knot_owner *owner;
	const struct knot_ops *ops;
	int flags;
};

static void knot_unlink(struct knot *k)
	__releases(k->lock)
	__releases(k->owner->lock)
{
	struct knot_owner *o = k->owner;

	k->owner = NULL;
	spin_unlock(&k->lock);
	o->count--;
	spin_unlock(&o->lock);
}

static void __knot_kill(struct knot *k)
{
	if (k->owner)
		knot_unlink(k);
	else
		spin_unlock(&k->lock);
	if (k->ops && k->ops->release)
		k->ops->release(k);
	spin_lock(&k->lock);
	k->flags = 0;
	spin_unlock(&k->lock);
	cond_resched();
}

void knot_kill(struct knot *k)
{
	struct knot_owner *o = k->owner;

	spin_lock(&o->lock);
	spin_lock(&k->lock);
	__knot_kill(k);
}

void knot_drop_bad(struct knot *k)
{
	spin_lock(&k->lock);
	k->flags = 1;
	spin_unlock(&k->lock);
	k->ops->release(k);
	spin_unlock(&k->lock); /* expect: double-unlock */
}
