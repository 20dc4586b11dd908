/*
 * A debug-only object tracker (built only with CONFIG_DEBUG_OBJTRACK, declared under lib/Kconfig.debug): its
 * lock is never taken in a kernel built for use, so the call graphs leave it out unless asked.
 */
#include <linux/spinlock.h>

static spinlock_t objtrack_lock;
static long objtrack_count;

void objtrack_note(const void *p)
{
	spin_lock(&objtrack_lock);
	objtrack_count++;
	spin_unlock(&objtrack_lock);
}
