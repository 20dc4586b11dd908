/* Miniature mutex API for the static-shadow tree (lockscope test tree, own writing). */
#ifndef _LINUX_MUTEX_H
#define _LINUX_MUTEX_H

struct mutex {
	long	owner;
};

void mutex_lock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);

#endif
