/*
 * Flushing: quill_flush takes the I/O mutex itself (so calling it with the
 * mutex held recurses), and quill_flush_range forgets to drop it on one
 * error exit.
 */
#include <linux/quill.h>
#include <linux/errno.h>

int quill_flush(struct quill_inode *qi)
{
	int n;

	mutex_lock(&qi->io_mutex);
	n = qi->dirty;
	qi->dirty = 0;
	mutex_unlock(&qi->io_mutex);
	return n;
}

int quill_flush_range(struct quill_inode *qi, int from, int to)
{
	mutex_lock(&qi->io_mutex);
	if (from > to)
		return -EINVAL; /* expect: lock-imbalance */
	qi->dirty -= to - from;
	mutex_unlock(&qi->io_mutex);
	return 0;
}
