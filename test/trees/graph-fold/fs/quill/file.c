/*
 * The write path of a small filesystem, to draw: quill_write takes the inode mutex and calls helpers under it.
 * file_inode, atomic_inc (and arch_atomic_inc below it) and quill_size are trivial leaves; objtrack_note is
 * debug-only code; quill_debug_lock is taken only under #ifdef CONFIG_DEBUG_QUILL_CHECKS. No findings.
 */
#include <linux/fs.h>

static spinlock_t quill_debug_lock;
static long quill_writes;

static long quill_size(struct inode *inode)
{
	return inode->i_size;
}

static void quill_check(struct inode *inode)
{
#ifdef CONFIG_DEBUG_QUILL_CHECKS
	spin_lock(&quill_debug_lock);
	quill_writes++;
	spin_unlock(&quill_debug_lock);
#endif
	atomic_inc(&inode->i_count);
}

static void quill_extend(struct inode *inode, long pos)
{
	spin_lock(&inode->i_lock);
	if (pos > quill_size(inode))
		inode->i_size = pos;
	spin_unlock(&inode->i_lock);
}

static void quill_copy(struct inode *inode, long pos)
{
	quill_check(inode);
	quill_extend(inode, pos);
}

static void quill_account(struct inode *inode)
{
	quill_check(inode);
	atomic_inc(&inode->i_count);
}

long quill_write(struct file *file, long pos)
{
	struct inode *inode = file_inode(file);

	mutex_lock(&inode->i_mutex);
	objtrack_note(inode);
	quill_copy(inode, pos);
	quill_account(inode);
	mutex_unlock(&inode->i_mutex);
	return pos;
}
