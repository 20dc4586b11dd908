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
	struct mutex		stat_lock;
	struct mutex		count_lock;
	struct mutex		flush_lock;
	spinlock_t		list_lock;
	long			nr_dirty;
};

typedef int (*sorrel_visit_t)(struct sorrel_sb_info *sbi);
typedef int (*sorrel_visit_locked_t)(struct sorrel_sb_info *sbi, spinlock_t *lock);

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

/* every visitor runs under the list lock */
static void sorrel_walk(struct sorrel_sb_info *sbi, sorrel_visit_t visit)
{
	spin_lock(&sbi->list_lock);
	visit(sbi); /* expect: lock-order-inversion */
	spin_unlock(&sbi->list_lock);
}

/*
 * A trylock never waits: the visitor that takes stat_lock by trylock under
 * list_lock cannot deadlock with list_lock taken under stat_lock (lockdep adds
 * no dependency for a trylock either).
 */
static int sorrel_reset_stats(struct sorrel_sb_info *sbi)
{
	if (mutex_trylock(&sbi->stat_lock)) {
		sbi->nr_dirty = 0;
		mutex_unlock(&sbi->stat_lock);
	}
	return 0;
}

static void sorrel_stat(struct sorrel_sb_info *sbi)
{
	mutex_lock(&sbi->stat_lock);
	spin_lock(&sbi->list_lock);
	sbi->nr_dirty++;
	spin_unlock(&sbi->list_lock);
	mutex_unlock(&sbi->stat_lock);
}

/* the visitor that waits for count_lock under list_lock does deadlock with sorrel_recount */
static int sorrel_count(struct sorrel_sb_info *sbi)
{
	mutex_lock(&sbi->count_lock);
	sbi->nr_dirty--;
	mutex_unlock(&sbi->count_lock);
	return 0;
}

static void sorrel_recount(struct sorrel_sb_info *sbi)
{
	mutex_lock(&sbi->count_lock);
	spin_lock(&sbi->list_lock);
	sbi->nr_dirty = 0;
	spin_unlock(&sbi->list_lock);
	mutex_unlock(&sbi->count_lock);
}

/* a visitor given the list lock may drop it for slow work */
static void sorrel_walk_locked(struct sorrel_sb_info *sbi, sorrel_visit_locked_t visit)
{
	spin_lock(&sbi->list_lock);
	visit(sbi, &sbi->list_lock);
	spin_unlock(&sbi->list_lock);
}

/* it takes flush_lock only with the list lock dropped: no inversion with sorrel_flush_all */
static int sorrel_flush_one(struct sorrel_sb_info *sbi, spinlock_t *lock)
{
	spin_unlock(lock);
	mutex_lock(&sbi->flush_lock);
	sbi->nr_dirty--;
	mutex_unlock(&sbi->flush_lock);
	spin_lock(lock);
	return 0;
}

static void sorrel_flush_all(struct sorrel_sb_info *sbi)
{
	mutex_lock(&sbi->flush_lock);
	spin_lock(&sbi->list_lock);
	sbi->nr_dirty = 0;
	spin_unlock(&sbi->list_lock);
	mutex_unlock(&sbi->flush_lock);
}

void sorrel_entry(struct super_block *sb, struct inode *dir, struct inode *inode)
{
	struct sorrel_sb_info *sbi = SORREL_SB(sb);

	sorrel_commit_dir(sbi, dir);
	sorrel_touch(sbi, inode);
	sorrel_orphan_dir(sbi, dir);
	sorrel_unorphan(sb, dir);
	sorrel_walk(sbi, sorrel_reset_stats);
	sorrel_stat(sbi);
	sorrel_walk(sbi, sorrel_count);
	sorrel_recount(sbi);
	sorrel_walk_locked(sbi, sorrel_flush_one);
	sorrel_flush_all(sbi);
}
