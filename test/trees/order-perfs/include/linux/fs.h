/* Miniature VFS interfaces for the per-filesystem lock class trees (lockscope test tree, own writing). */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

struct super_block {
	void			*s_fs_info;
	struct rw_semaphore	s_umount;
};

/* a VFS object with a lock of its own, shared by every filesystem */
struct tally {
	struct mutex	lock;
	long		count;
};

struct ledger {
	struct mutex	lock;
	long		entries;
};

struct inode {
	struct rw_semaphore		i_rwsem;
	struct super_block		*i_sb;
	const struct inode_operations	*i_op;
	unsigned long			i_ino;
};

struct inode_operations {
	int (*retag)(struct inode *, struct tally *);
	void (*flush_tally)(struct inode *, struct tally *);
	int (*relabel)(struct inode *, struct ledger *);
	void (*flush_ledger)(struct inode *, struct ledger *);
};

int vfs_retag(struct inode *inode, struct tally *t);
void tally_flush(struct tally *t, struct inode *inode);
int vfs_relabel(struct inode *inode, struct ledger *l);
void ledger_flush(struct ledger *l, struct inode *inode);

#endif
