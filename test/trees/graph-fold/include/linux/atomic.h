/* Miniature atomics for the graph-fold test tree: tiny, lock-free, each calling the next one down. */
#ifndef _LINUX_ATOMIC_H
#define _LINUX_ATOMIC_H

typedef struct { int counter; } atomic_t;

static inline void arch_atomic_inc(atomic_t *v)
{
	v->counter++;
}

static inline void atomic_inc(atomic_t *v)
{
	arch_atomic_inc(v);
}

#endif
