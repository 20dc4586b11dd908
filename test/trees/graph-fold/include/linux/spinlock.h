/* Miniature locking header for the graph-fold test tree (lockscope test tree, own writing). */
#ifndef _LINUX_SPINLOCK_H
#define _LINUX_SPINLOCK_H

typedef struct { int raw; } spinlock_t;
struct mutex { int owner; };

void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
void mutex_lock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);

#endif
