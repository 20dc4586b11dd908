/* Miniature spinlock header for the provisional-wrapper test tree (lockscope test tree, own writing). */
#ifndef _LINUX_SPINLOCK_H
#define _LINUX_SPINLOCK_H

typedef struct {
	int raw;
} spinlock_t;

#define DEFINE_SPINLOCK(x) spinlock_t x

#endif
