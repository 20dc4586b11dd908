/*
 * An indirect call a helper makes after it dropped its caller's lock runs without that lock: blob_put's
 * helper unlocks b->lock before calling ->release (whose target takes b->lock), so no recursive locking is
 * reported there; blob_put_bad calls ->release with b->lock still held, which deadlocks (medium confidence:
 * blob_put_bad is in no ops table, so ->release resolves by its directory).
 */
#include <linux/spinlock.h>

struct blob;

struct blob_ops {
	void (*release)(struct blob *b);
};

struct blob {
	spinlock_t lock;
	int refs;
	const struct blob_ops *ops;
};

static void blob_free(struct blob *b)
{
	spin_lock(&b->lock);
	b->refs = 0;
	spin_unlock(&b->lock);
}

static const struct blob_ops blob_default_ops = {
	.release = blob_free,
};

static void blob_drop(struct blob *b)
	__releases(b->lock)
{
	b->refs--;
	spin_unlock(&b->lock);
	b->ops->release(b);
}

void blob_put(struct blob *b)
{
	spin_lock(&b->lock);
	blob_drop(b);
}

void blob_put_bad(struct blob *b)
{
	spin_lock(&b->lock);
	b->refs--;
	b->ops->release(b); /* expect: recursive-lock@medium */
	spin_unlock(&b->lock);
}
