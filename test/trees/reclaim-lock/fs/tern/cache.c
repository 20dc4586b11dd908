// SPDX-License-Identifier: GPL-2.0
/*
 * A shrinker and an allocation under its lock (lockscope test tree, own
 * writing): tern caches extents in a global tree; the shrinker's scan takes
 * the cache rwsem as a writer, and refilling the cache allocates with
 * GFP_KERNEL inside a helper while holding the rwsem as a writer (reported).
 * The count callback takes the index rwsem only as a reader, and a lookup
 * allocates holding it as a reader: two readers share it (not reported).
 */
#include <linux/fs.h>

struct tern_extent {
	unsigned long	start;
	unsigned long	len;
};

static DECLARE_RWSEM(tern_cache_rwsem);
static DECLARE_RWSEM(tern_index_rwsem);
static unsigned long tern_cached;

static struct tern_extent *tern_extent_new(unsigned long start)
{
	struct tern_extent *e = kmalloc(sizeof(*e), GFP_KERNEL);

	if (e)
		e->start = start;
	return e;
}

int tern_cache_refill(unsigned long start)
{
	struct tern_extent *e;

	down_write(&tern_cache_rwsem);
	e = tern_extent_new(start); /* expect: reclaim-under-lock */
	if (e)
		tern_cached++;
	up_write(&tern_cache_rwsem);
	return e ? 0 : -ENOMEM;
}

unsigned long tern_cache_peek(void)
{
	struct tern_extent *e;
	unsigned long n;

	down_read(&tern_index_rwsem);
	e = tern_extent_new(0);
	n = tern_cached;
	up_read(&tern_index_rwsem);
	kfree(e);
	return n;
}

static unsigned long tern_cache_count(struct shrinker *s, struct shrink_control *sc)
{
	unsigned long n;

	down_read(&tern_index_rwsem);
	n = tern_cached;
	up_read(&tern_index_rwsem);
	return n;
}

static unsigned long tern_cache_scan(struct shrinker *s, struct shrink_control *sc)
{
	unsigned long freed;

	down_write(&tern_cache_rwsem);
	freed = tern_cached;
	tern_cached = 0;
	up_write(&tern_cache_rwsem);
	return freed;
}

static struct shrinker tern_cache_shrinker = {
	.count_objects	= tern_cache_count,
	.scan_objects	= tern_cache_scan,
	.seeks		= 2,
};
