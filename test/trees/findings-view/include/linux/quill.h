/* The quill filesystem's shared declarations (lockscope test tree for the findings view, own writing). */
#ifndef _LINUX_QUILL_H
#define _LINUX_QUILL_H

#include <linux/mutex.h>
#include <linux/spinlock.h>

struct quill_inode {
	struct mutex		io_mutex;
	spinlock_t		state_lock;
	unsigned long		state;
	void			*cache;
	int			dirty;
};

int quill_flush(struct quill_inode *qi);

#endif
