/* Minimal kernel-like header for the indirect-confidence test tree (own writing). */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

typedef struct { int raw; } spinlock_t;

void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);

struct inode {
	spinlock_t	i_lock;
	long		i_size;
};

struct gizmo;

struct gizmo_ops {
	int (*poke)(struct inode *inode);
	int (*kick)(struct gizmo *g);
};

struct gizmo {
	const struct gizmo_ops	*ops;
	struct inode		*inode;
};

#endif
