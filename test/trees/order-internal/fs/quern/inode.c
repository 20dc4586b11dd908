// SPDX-License-Identifier: GPL-2.0
/*
 * quern (lockscope test tree, own writing): setattr holds a file's map lock
 * and then the quota mutex; the quota sync holds the quota mutex and maps a
 * block of the quota inode, an internal inode the superblock info points to
 * that no setattr ever reaches: its map lock is another object. No cycle.
 * Nor with the quota files the superblock holds.
 */
#include "quern.h"

/* maps a block of any of quern's inodes, under its map lock */
static int quern_map_block(struct inode *inode, sector_t lblk)
{
	struct quern_inode *ci = QUERN_I(inode);
	int ret;

	down_read(&ci->map_sem);
	ret = quern_lookup_map(ci, lblk);
	up_read(&ci->map_sem);
	return ret;
}

static int quern_sync_fs(struct super_block *sb, int wait)
{
	struct quern_sb_info *sbi = QUERN_SB(sb);
	int ret;

	mutex_lock(&sbi->quota_mutex);
	ret = quern_map_block(sbi->quota_inode, 0);
	mutex_unlock(&sbi->quota_mutex);
	return ret;
}

/* writes back every quota file: internal inodes too, part of the superblock */
static int quern_quota_sync(struct super_block *sb)
{
	struct quern_sb_info *sbi = QUERN_SB(sb);
	int cnt, ret = 0;

	mutex_lock(&sbi->quota_mutex);
	for (cnt = 0; cnt < MAXQUOTAS && !ret; cnt++)
		ret = quern_map_block(sb_dqopt(sb)->files[cnt], 0);
	mutex_unlock(&sbi->quota_mutex);
	return ret;
}

static int quern_setattr(struct inode *inode, struct iattr *attr)
{
	struct quern_sb_info *sbi = QUERN_SB(inode->i_sb);

	down_write(&QUERN_I(inode)->map_sem);
	mutex_lock(&sbi->quota_mutex);
	inode->i_size = attr->ia_size;
	mutex_unlock(&sbi->quota_mutex);
	up_write(&QUERN_I(inode)->map_sem);
	return 0;
}

const struct super_operations quern_super_operations = {
	.sync_fs	= quern_sync_fs,
	.quota_sync	= quern_quota_sync,
};

const struct inode_operations quern_inode_operations = {
	.setattr	= quern_setattr,
};
