// SPDX-License-Identifier: GPL-2.0
/*
 * The negative twin of inode.c: rename takes the directory info's lock (reached
 * through HERON_DI_OF(), a container_of() followed by a field, so a struct
 * heron_dir_info) and then the journal's; commit takes the journal's and then
 * an inode's. No cycle: typing HERON_DI_OF() as the inode info (the struct
 * its container_of() names) would make one (lockscope test tree, own writing).
 */
#include "heron.h"

void heron_rename(struct inode *dir, struct heron_journal *journal)
{
	mutex_lock(&HERON_DI_OF(dir)->lock);
	mutex_lock(&journal->lock);
	HERON_DI_OF(dir)->entries++;
	journal->tid++;
	mutex_unlock(&journal->lock);
	mutex_unlock(&HERON_DI_OF(dir)->lock);
}

void heron_commit(struct heron_journal *journal, struct inode *inode)
{
	mutex_lock(&journal->lock);
	mutex_lock(&HERON_I(inode)->lock);
	journal->tid++;
	mutex_unlock(&HERON_I(inode)->lock);
	mutex_unlock(&journal->lock);
}
