/* Miniature VFS interfaces for the internal-inode tree (lockscope test tree, own writing). */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#define MAXQUOTAS	3

/* the quota files of a filesystem, part of its superblock */
struct quota_info {
	struct inode	*files[MAXQUOTAS];
};

struct super_block {
	void			*s_fs_info;
	struct quota_info	s_dquot;
};

static inline struct quota_info *sb_dqopt(struct super_block *sb)
{
	return &sb->s_dquot;
}

struct inode {
	struct super_block	*i_sb;
	loff_t			i_size;
};

struct iattr {
	loff_t	ia_size;
};

struct inode_operations {
	int (*setattr)(struct inode *, struct iattr *);
};

struct super_operations {
	int (*sync_fs)(struct super_block *, int);
	int (*quota_sync)(struct super_block *);
};

#endif
