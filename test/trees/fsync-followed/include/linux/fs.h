/*
 * A miniature of the VFS interfaces the seed-000 incident runs through, written
 * for lockscope's tests (not kernel source): the file/inode types, the ops
 * table, the inode lock wrappers and generic_write_sync() as a static inline
 * that calls vfs_fsync_range().
 */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <linux/rwsem.h>

#define IOCB_DSYNC	(1 << 4)
#define IOCB_SYNC	(1 << 5)
#define IOCB_DIRECT	(1 << 17)

struct iov_iter;

struct inode {
	struct rw_semaphore	i_rwsem;
	unsigned long		i_state;
	loff_t			i_size;
};

struct address_space {
	struct inode		*host;
};

struct file {
	struct inode			*f_inode;
	struct address_space		*f_mapping;
	const struct file_operations	*f_op;
};

struct kiocb {
	struct file	*ki_filp;
	loff_t		ki_pos;
	int		ki_flags;
};

struct file_operations {
	ssize_t (*write_iter)(struct kiocb *, struct iov_iter *);
	int (*fsync)(struct file *, loff_t, loff_t, int datasync);
};

static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
}

static inline void inode_lock(struct inode *inode)
{
	down_write(&inode->i_rwsem);
}

static inline void inode_unlock(struct inode *inode)
{
	up_write(&inode->i_rwsem);
}

int vfs_fsync_range(struct file *file, loff_t start, loff_t end, int datasync);
void mutex_lock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);

/* Sync what a write just wrote if the file or the write asked for it. */
static inline ssize_t generic_write_sync(struct kiocb *iocb, ssize_t count)
{
	if (iocb->ki_flags & IOCB_DSYNC) {
		int ret = vfs_fsync_range(iocb->ki_filp,
				iocb->ki_pos - count, iocb->ki_pos - 1,
				(iocb->ki_flags & IOCB_SYNC) ? 0 : 1);
		if (ret)
			return ret;
	}
	return count;
}

#endif /* _LINUX_FS_H */
