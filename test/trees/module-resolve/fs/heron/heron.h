/*
 * Heron's in-memory structures and their accessors, written as macros over
 * container_of()/list_entry() rather than static inlines (lockscope test tree,
 * own writing).
 */
#ifndef _HERON_H
#define _HERON_H

#include <linux/fs.h>

struct heron_sb_info {
	struct mutex		lock;
	unsigned long		generation;
};

struct heron_dir_info {
	struct mutex		lock;
	unsigned int		entries;
};

struct heron_journal {
	struct mutex		lock;
	unsigned long		tid;
};

struct heron_inode_info {
	struct mutex		lock;
	struct heron_sb_info	*sbi;
	struct heron_dir_info	*dir_info;
	struct list_head	lru;
	struct inode		vfs_inode;
};

#define HERON_I(inode)	(container_of(inode, struct heron_inode_info, vfs_inode))
#define HERON_LRU_ENTRY(pos) \
	list_entry(pos, struct heron_inode_info, lru)
/* Not accessors of heron_inode_info: they reach a structure it points to. */
#define HERON_SBI(inode) \
	(container_of(inode, struct heron_inode_info, vfs_inode)->sbi)
#define HERON_DI_OF(inode) \
	(container_of(inode, struct heron_inode_info, vfs_inode)->dir_info)

void heron_evict_inode(struct inode *inode);
int heron_sync_fs(struct heron_sb_info *sbi, struct list_head *pos);

#endif /* _HERON_H */
