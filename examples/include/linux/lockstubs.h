/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's types for the samples in this tree to read
 * like kernel code.  Nothing here is meant to compile against a real tree.
 */
#ifndef _SAMPLE_LINUX_LOCKSTUBS_H
#define _SAMPLE_LINUX_LOCKSTUBS_H

typedef unsigned long long u64;
typedef long long loff_t;
typedef long ssize_t;
typedef unsigned int gfp_t;
typedef _Bool bool;

#define true	1
#define false	0
#define NULL	((void *)0)

#define EIO	5
#define ENOMEM	12
#define EBUSY	16
#define EEXIST	17
#define EINVAL	22
#define ENOSPC	28
#define EAGAIN	11

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

struct list_head {
	struct list_head *next, *prev;
};

struct mutex { int owner; };
struct rw_semaphore { long count; };
typedef struct { int slock; } spinlock_t;

struct page;
struct kiocb;
struct iov_iter;
struct super_block;

struct address_space {
	struct inode		*host;
	unsigned long		nrpages;
	struct rw_semaphore	invalidate_lock;
};

struct inode {
	unsigned long		i_ino;
	loff_t			i_size;
	unsigned int		i_flags;
	struct rw_semaphore	i_rwsem;
	spinlock_t		i_lock;
	struct super_block	*i_sb;
	struct address_space	*i_mapping;
};

struct file {
	struct inode		*f_inode;
	unsigned int		f_flags;
	void			*private_data;
};

struct file_operations {
	ssize_t (*write_iter)(struct kiocb *, struct iov_iter *);
	ssize_t (*read_iter)(struct kiocb *, struct iov_iter *);
	int (*fsync)(struct file *, loff_t, loff_t, int);
	int (*open)(struct inode *, struct file *);
	int (*release)(struct inode *, struct file *);
};

typedef unsigned int vm_fault_t;

struct vm_area_struct {
	struct file		*vm_file;
};

struct vm_fault {
	struct vm_area_struct	*vma;
	struct page		*page;
};

struct vm_operations_struct {
	vm_fault_t (*fault)(struct vm_fault *vmf);
	vm_fault_t (*page_mkwrite)(struct vm_fault *vmf);
};

struct super_operations {
	struct inode *(*alloc_inode)(struct super_block *);
	void (*evict_inode)(struct inode *);
	int (*sync_fs)(struct super_block *, int);
	void (*put_super)(struct super_block *);
};

static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
}

#endif /* _SAMPLE_LINUX_LOCKSTUBS_H */
