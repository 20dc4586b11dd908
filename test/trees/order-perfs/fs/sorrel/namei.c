// SPDX-License-Identifier: GPL-2.0
/*
 * Lockdep subclasses are classes (lockscope test tree, own writing): a parent
 * directory locked with I_MUTEX_PARENT and an inode locked plainly are two
 * classes, so taking the parent under the journal lock and the journal lock
 * under a plain inode lock is no inversion. The same order against the parent
 * subclass on both sides is one.
 */
#include <linux/fs.h>

struct sorrel_sb_info {
	struct super_block	*sb;
	struct mutex		journal_lock;
	struct mutex		orphan_lock;
};

#define SORREL_SB(sb)	((struct sorrel_sb_info *)(sb)->s_fs_info)

static void sorrel_commit_dir(struct sorrel_sb_info *sbi, struct inode *dir)
{
	mutex_lock(&sbi->journal_lock);
	inode_lock_nested(dir, I_MUTEX_PARENT);
	dir->i_ino++;
	inode_unlock(dir);
	mutex_unlock(&sbi->journal_lock);
}

static void sorrel_touch(struct sorrel_sb_info *sbi, struct inode *inode)
{
	inode_lock(inode);
	mutex_lock(&sbi->journal_lock);
	inode->i_ino++;
	mutex_unlock(&sbi->journal_lock);
	inode_unlock(inode);
}

static void sorrel_orphan_dir(struct sorrel_sb_info *sbi, struct inode *dir)
{
	mutex_lock(&sbi->orphan_lock);
	inode_lock_nested(dir, I_MUTEX_PARENT); /* expect: lock-order-inversion */
	dir->i_ino--;
	inode_unlock(dir);
	mutex_unlock(&sbi->orphan_lock);
}

static void sorrel_unorphan(struct super_block *sb, struct inode *dir)
{
	struct sorrel_sb_info *sbi = SORREL_SB(sb);

	inode_lock_nested(dir, I_MUTEX_PARENT);
	mutex_lock(&sbi->orphan_lock);
	dir->i_ino++;
	mutex_unlock(&sbi->orphan_lock);
	inode_unlock(dir);
}

void sorrel_entry(struct super_block *sb, struct inode *dir, struct inode *inode)
{
	struct sorrel_sb_info *sbi = SORREL_SB(sb);

	sorrel_commit_dir(sbi, dir);
	sorrel_touch(sbi, inode);
	sorrel_orphan_dir(sbi, dir);
	sorrel_unorphan(sb, dir);
}
