// SPDX-License-Identifier: GPL-2.0
/*
 * wold (lockscope test tree, own writing): wisp's twin, except that setattr
 * takes the same wrapper field as the checkpoint (the gate), in the other
 * order: a cycle between the inode lock and the gate.
 */
#include "wold.h"

static int wold_sync_fs(struct super_block *sb, int wait)
{
	struct wold_sb_info *sbi = WOLD_SB(sb);
	struct inode *qf = sbi->sb->s_fs_info;

	wold_down_write(&sbi->gate_sem);
	inode_lock(qf); /* expect: lock-order-inversion */
	wold_flush_quota(qf);
	inode_unlock(qf);
	wold_up_write(&sbi->gate_sem);
	return 0;
}

static int wold_setattr(struct inode *inode, struct iattr *attr)
{
	struct wold_sb_info *sbi = WOLD_SB(inode->i_sb);

	inode_lock(inode);
	wold_down_read(&sbi->gate_sem);
	inode->i_size = attr->ia_size;
	wold_up_read(&sbi->gate_sem);
	inode_unlock(inode);
	return 0;
}

const struct super_operations wold_super_operations = {
	.sync_fs	= wold_sync_fs,
};

const struct inode_operations wold_inode_operations = {
	.setattr	= wold_setattr,
};
