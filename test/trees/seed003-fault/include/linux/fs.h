/*
 * A miniature of the VFS and mm interfaces the seed-003 incident runs through,
 * written for lockscope's tests (not kernel source): files and inodes, the
 * file and vm operations tables, the page-fault context, user iterators.
 */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <linux/rwsem.h>
#include <linux/mutex.h>

#define IOCB_DIRECT	(1 << 17)

struct page;

struct inode {
	struct rw_semaphore	i_rwsem;
	loff_t			i_size;
};

struct file {
	struct inode			*f_inode;
	const struct file_operations	*f_op;
};

struct kiocb {
	struct file	*ki_filp;
	loff_t		ki_pos;
	int		ki_flags;
};

struct iov_iter {
	bool		nofault;
	size_t		count;
};

struct vm_area_struct {
	struct file			*vm_file;
	const struct vm_operations_struct *vm_ops;
};

struct vm_fault {
	struct vm_area_struct	*vma;
	struct page		*page;
};

typedef unsigned int vm_fault_t;
#define VM_FAULT_LOCKED	0x0200

struct file_operations {
	ssize_t (*read_iter)(struct kiocb *, struct iov_iter *);
	ssize_t (*write_iter)(struct kiocb *, struct iov_iter *);
	int (*mmap)(struct file *, struct vm_area_struct *);
};

struct vm_operations_struct {
	vm_fault_t (*fault)(struct vm_fault *vmf);
	vm_fault_t (*page_mkwrite)(struct vm_fault *vmf);
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

static inline size_t iov_iter_count(const struct iov_iter *i)
{
	return i->count;
}

ssize_t iov_iter_get_pages2(struct iov_iter *i, struct page **pages,
		size_t maxsize, unsigned maxpages, size_t *start);
unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
unsigned long __copy_from_user_inatomic(void *to, const void __user *from, unsigned long n);
size_t copy_page_to_iter(struct page *page, size_t offset, size_t bytes, struct iov_iter *i);
void iov_iter_bvec(struct iov_iter *i, unsigned int direction, const struct bio_vec *bvec,
		unsigned long nr_segs, size_t count);
void pagefault_disable(void);
void pagefault_enable(void);
void lock_page(struct page *page);
void unlock_page(struct page *page);
vm_fault_t filemap_fault(struct vm_fault *vmf);

#endif /* _LINUX_FS_H */
