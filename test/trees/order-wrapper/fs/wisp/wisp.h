/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wisp's lock wrapper (lockscope test tree, own writing): an rwsem with a
 * waitqueue of its own, embedded in several fields; each place it is
 * initialised gives it its own lockdep key.
 */
#ifndef _WISP_H
#define _WISP_H

#include <linux/fs.h>

struct wisp_rwsem {
	struct rw_semaphore	inner;
	wait_queue_head_t	waiters;
};

#define init_wisp_rwsem(sem)					\
do {								\
	static struct lock_class_key __key;			\
	__init_rwsem(&(sem)->inner, #sem, &__key);		\
	init_waitqueue_head(&(sem)->waiters);			\
} while (0)

struct wisp_sb_info {
	struct super_block	*sb;
	struct wisp_rwsem	gate_sem;	/* held across a checkpoint */
	struct wisp_rwsem	op_sem;		/* held by each operation */
	struct wisp_rwsem	zone_sem[2];	/* per zone kind */
};

static inline struct wisp_sb_info *WISP_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline void wisp_down_write(struct wisp_rwsem *sem)
{
	down_write(&sem->inner);
}

static inline void wisp_up_write(struct wisp_rwsem *sem)
{
	up_write(&sem->inner);
}

static inline void wisp_down_read(struct wisp_rwsem *sem)
{
	down_read(&sem->inner);
}

static inline void wisp_up_read(struct wisp_rwsem *sem)
{
	up_read(&sem->inner);
	wake_up_all(&sem->waiters);
}

#endif
