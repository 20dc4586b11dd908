/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wold's lock wrapper (lockscope test tree, own writing): an rwsem with a
 * waitqueue of its own, embedded in several fields; each place it is
 * initialised gives it its own lockdep key.
 */
#ifndef _WOLD_H
#define _WOLD_H

#include <linux/fs.h>

struct wold_rwsem {
	struct rw_semaphore	inner;
	wait_queue_head_t	waiters;
};

#define init_wold_rwsem(sem)					\
do {								\
	static struct lock_class_key __key;			\
	__init_rwsem(&(sem)->inner, #sem, &__key);		\
	init_waitqueue_head(&(sem)->waiters);			\
} while (0)

struct wold_sb_info {
	struct super_block	*sb;
	struct wold_rwsem	gate_sem;	/* held across a checkpoint */
	struct wold_rwsem	op_sem;		/* held by each operation */
	struct wold_rwsem	zone_sem[2];	/* per zone kind */
};

static inline struct wold_sb_info *WOLD_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline void wold_down_write(struct wold_rwsem *sem)
{
	down_write(&sem->inner);
}

static inline void wold_up_write(struct wold_rwsem *sem)
{
	up_write(&sem->inner);
}

static inline void wold_down_read(struct wold_rwsem *sem)
{
	down_read(&sem->inner);
}

static inline void wold_up_read(struct wold_rwsem *sem)
{
	up_read(&sem->inner);
	wake_up_all(&sem->waiters);
}

#endif
