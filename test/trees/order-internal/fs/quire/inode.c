// SPDX-License-Identifier: GPL-2.0
/*
 * quire (lockscope test tree, own writing): quern's twin, except that the
 * sync maps a block of the first dirty file it finds, a file like any other: the
 * sync and setattr take its map lock and the quota mutex in opposite orders.
 */
#include "quire.h"

/* maps a block of any of quire's inodes, under its map lock */
static int quire_map_block(struct inode *inode, sector_t lblk)
{
	struct quire_inode *ci = QUIRE_I(inode);
	int ret;

	down_read(&ci->map_sem);
	ret = quire_lookup_map(ci, lblk);
	up_read(&ci->map_sem);
	return ret;
}

static int quire_sync_fs(struct super_block *sb, int wait)
{
	struct quire_sb_info *sbi = QUIRE_SB(sb);
	int ret;

	mutex_lock(&sbi->quota_mutex);
	ret = quire_map_block(quire_first_dirty(sbi), 0); /* expect: lock-order-inversion */
	mutex_unlock(&sbi->quota_mutex);
	return ret;
}

static int quire_setattr(struct inode *inode, struct iattr *attr)
{
	struct quire_sb_info *sbi = QUIRE_SB(inode->i_sb);

	down_write(&QUIRE_I(inode)->map_sem);
	mutex_lock(&sbi->quota_mutex);
	inode->i_size = attr->ia_size;
	mutex_unlock(&sbi->quota_mutex);
	up_write(&QUIRE_I(inode)->map_sem);
	return 0;
}

const struct super_operations quire_super_operations = {
	.sync_fs	= quire_sync_fs,
};

const struct inode_operations quire_inode_operations = {
	.setattr	= quire_setattr,
};
