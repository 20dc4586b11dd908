// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions enter the task's nofs scope (lockscope test tree, own
 * writing): plover_trans_start() saves the allocation context with
 * memalloc_nofs_save() only when it succeeds, and plover_trans_stop()
 * restores it. Allocations inside a transaction do not enter filesystem
 * reclaim, whether they are made in the function that started it or in a
 * helper every caller calls inside one. A helper that one caller calls
 * outside a transaction is reported.
 */
#include <linux/fs.h>

struct plover_sb_info {
	struct mutex	orphan_mutex;
	unsigned long	orphan_count;
};

struct plover_trans {
	unsigned int	saved_flags;
	int		credits;
};

static inline struct plover_sb_info *PLOVER_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

struct plover_trans *plover_trans_start(struct super_block *sb, int credits)
{
	struct plover_trans *tr = plover_trans_get(sb);

	if (IS_ERR(tr))
		return tr;
	if (plover_reserve(sb, credits)) {
		plover_trans_put(tr);
		return ERR_PTR(-ENOSPC);
	}
	tr->saved_flags = memalloc_nofs_save();
	return tr;
}

void plover_trans_stop(struct plover_trans *tr)
{
	memalloc_nofs_restore(tr->saved_flags);
	plover_trans_put(tr);
}

/* Called only inside a transaction. */
static int plover_orphan_note(struct super_block *sb)
{
	struct plover_sb_info *sbi = PLOVER_SB(sb);
	void *rec;

	mutex_lock(&sbi->orphan_mutex);
	rec = kmalloc(32, GFP_KERNEL);
	sbi->orphan_count++;
	mutex_unlock(&sbi->orphan_mutex);
	kfree(rec);
	return 0;
}

int plover_unlink(struct inode *dir)
{
	struct super_block *sb = dir->i_sb;
	struct plover_trans *tr;
	void *rec;

	tr = plover_trans_start(sb, 4);
	if (IS_ERR(tr))
		return PTR_ERR(tr);
	mutex_lock(&PLOVER_SB(sb)->orphan_mutex);
	rec = kmalloc(64, GFP_KERNEL);
	mutex_unlock(&PLOVER_SB(sb)->orphan_mutex);
	plover_orphan_note(sb);
	plover_trans_stop(tr);
	kfree(rec);
	return 0;
}

int plover_rmdir(struct inode *dir)
{
	struct plover_trans *tr = plover_trans_start(dir->i_sb, 8);

	if (IS_ERR(tr))
		return PTR_ERR(tr);
	plover_orphan_note(dir->i_sb);
	plover_trans_stop(tr);
	return 0;
}

/* Called both inside a transaction and outside one. */
static int plover_orphan_count(struct super_block *sb)
{
	struct plover_sb_info *sbi = PLOVER_SB(sb);
	void *rec;

	mutex_lock(&sbi->orphan_mutex);
	rec = kmalloc(32, GFP_KERNEL); /* expect: reclaim-under-lock */
	mutex_unlock(&sbi->orphan_mutex);
	kfree(rec);
	return 0;
}

int plover_link(struct inode *dir)
{
	struct plover_trans *tr = plover_trans_start(dir->i_sb, 2);

	if (IS_ERR(tr))
		return PTR_ERR(tr);
	plover_orphan_count(dir->i_sb);
	plover_trans_stop(tr);
	return 0;
}

int plover_statfs(struct super_block *sb)
{
	return plover_orphan_count(sb);
}
