// SPDX-License-Identifier: GPL-2.0
/*
 * An ABBA between heron's inode lock and its superblock lock, both reached
 * through accessor macros: eviction takes the inode's lock, then the
 * superblock's; a sync walking the LRU list takes them the other way round.
 * The lock classes (struct heron_inode_info::lock, struct heron_sb_info::lock)
 * come from the macros' container_of()/list_entry() types (lockscope test
 * tree, own writing).
 */
#include "heron.h"

void heron_evict_inode(struct inode *inode)
{
	mutex_lock(&HERON_I(inode)->lock);
	mutex_lock(&HERON_SBI(inode)->lock); /* expect: lock-order-inversion */
	HERON_SBI(inode)->generation++;
	mutex_unlock(&HERON_SBI(inode)->lock);
	mutex_unlock(&HERON_I(inode)->lock);
}

int heron_sync_fs(struct heron_sb_info *sbi, struct list_head *pos)
{
	int synced = 0;

	mutex_lock(&sbi->lock);
	while (pos) {
		mutex_lock(&HERON_LRU_ENTRY(pos)->lock);
		synced++;
		mutex_unlock(&HERON_LRU_ENTRY(pos)->lock);
		pos = pos->next;
	}
	mutex_unlock(&sbi->lock);
	return synced;
}
