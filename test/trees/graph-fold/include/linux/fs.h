/* Miniature VFS header for the graph-fold test tree (lockscope test tree, own writing). */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <linux/spinlock.h>
#include <linux/atomic.h>

struct inode {
	struct mutex i_mutex;
	spinlock_t i_lock;
	atomic_t i_count;
	long i_size;
};

struct file {
	struct inode *f_inode;
	long f_pos;
};

static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
}

void objtrack_note(const void *p);

#endif
