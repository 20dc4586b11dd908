/*
 * Inode state under the state spinlock: a blocking allocation while it is
 * held, a state reset that drops the lock twice, and one allocation its
 * author has looked at and silenced (not in the findings view either).
 */
#include <linux/quill.h>
#include <linux/slab.h>

void quill_grow_cache(struct quill_inode *qi, int n)
{
	spin_lock(&qi->state_lock);
	qi->cache = kmalloc(n, GFP_KERNEL); /* expect: sleep-in-atomic */
	spin_unlock(&qi->state_lock);
}

void quill_reset_state(struct quill_inode *qi)
{
	spin_lock(&qi->state_lock);
	if (qi->state) {
		qi->state = 0;
		spin_unlock(&qi->state_lock);
	}
	spin_unlock(&qi->state_lock); /* expect: double-unlock */
}

void quill_grow_cache_reviewed(struct quill_inode *qi, int n)
{
	spin_lock(&qi->state_lock);
	qi->cache = kmalloc(n, GFP_KERNEL); /* lockscope: ignore sleep-in-atomic */
	spin_unlock(&qi->state_lock);
}
