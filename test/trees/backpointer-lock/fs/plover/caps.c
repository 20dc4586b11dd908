/*
 * A capability's helper asserts the lock of the capability's inode, named through the back-pointer
 * (cap->pi->lock). plover_flush_caps() calls it on the inode's own auth_cap while holding the inode's lock: the
 * same object under another name, which the tool cannot prove (the back-pointer is not an alias it knows), so
 * with a lock of the same class held the requirement is taken as met, not passed up to ->fsync as one the VFS
 * never satisfies. The twins: ->release reaches the helper with no lock of that class held (reported at the
 * method), and ->flush holds a lock of another class only (reported too).
 */
#include "plover.h"

static spinlock_t plover_stats_lock;

static void __plover_prep_cap(struct plover_cap *cap)
{
	struct plover_inode *pi = cap->pi;

	lockdep_assert_held(&pi->lock);
	cap->issued = 0;
}

static int plover_flush_caps(struct inode *inode)
{
	struct plover_inode *pi = PLOVER_I(inode);

	spin_lock(&pi->lock);
	if (pi->auth_cap) {
		struct plover_cap *cap = pi->auth_cap;

		__plover_prep_cap(cap);
	}
	spin_unlock(&pi->lock);
	return 0;
}

static int plover_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	return plover_flush_caps(file->f_mapping->host);
}

static void plover_drop_caps(struct inode *inode)
{
	struct plover_inode *pi = PLOVER_I(inode);

	if (pi->auth_cap)
		__plover_prep_cap(pi->auth_cap);
}

static int plover_release(struct inode *inode, struct file *file)
{
	plover_drop_caps(inode); /* expect: missing-required-lock */
	return 0;
}

static void plover_count_caps(struct inode *inode)
{
	struct plover_inode *pi = PLOVER_I(inode);

	spin_lock(&plover_stats_lock);
	if (pi->auth_cap)
		__plover_prep_cap(pi->auth_cap);
	spin_unlock(&plover_stats_lock);
}

static int plover_flush(struct file *file, void *id)
{
	plover_count_caps(file->f_mapping->host); /* expect: missing-required-lock */
	return 0;
}

const struct file_operations plover_file_operations = {
	.fsync		= plover_fsync,
	.release	= plover_release,
	.flush		= plover_flush,
};
