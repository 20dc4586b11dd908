// SPDX-License-Identifier: GPL-2.0
/*
 * wisp (lockscope test tree, own writing): a checkpoint holds the gate and
 * then locks the quota file; setattr holds the file's inode lock and then
 * starts an operation. The gate and the operation lock are two wrappers of
 * one type in two fields, two lockdep classes: no cycle.
 */
#include "wisp.h"

static int wisp_sync_fs(struct super_block *sb, int wait)
{
	struct wisp_sb_info *sbi = WISP_SB(sb);
	struct inode *qf = sbi->sb->s_fs_info;

	wisp_down_write(&sbi->gate_sem);
	inode_lock(qf);
	wisp_flush_quota(qf);
	inode_unlock(qf);
	wisp_up_write(&sbi->gate_sem);
	return 0;
}

static int wisp_setattr(struct inode *inode, struct iattr *attr)
{
	struct wisp_sb_info *sbi = WISP_SB(inode->i_sb);

	inode_lock(inode);
	wisp_down_read(&sbi->op_sem);
	inode->i_size = attr->ia_size;
	wisp_up_read(&sbi->op_sem);
	inode_unlock(inode);
	return 0;
}

const struct super_operations wisp_super_operations = {
	.sync_fs	= wisp_sync_fs,
};

const struct inode_operations wisp_inode_operations = {
	.setattr	= wisp_setattr,
};
