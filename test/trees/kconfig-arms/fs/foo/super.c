// SPDX-License-Identifier: GPL-2.0
/*
 * Each function has its lock bug only in an arm this tree's .config leaves out: analysed with it, nothing
 * here is reported (the tree's .config sets FOO_STATS and FOO_JOURNAL=m, leaves FOO_LEGACY unset).
 */
#include "foo.h"

void foo_sync(struct foo_sb *sb)
{
	mutex_lock(&sb->lock);
#if IS_ENABLED(CONFIG_FOO_JOURNAL)
	foo_journal_commit(sb);
#else
	mutex_lock(&sb->lock);
#endif
	mutex_unlock(&sb->lock);
}

#ifndef CONFIG_FOO_LEGACY
static void foo_put(struct foo_sb *sb)
{
	spin_lock(&sb->list_lock);
	sb->dirty--;
	spin_unlock(&sb->list_lock);
}
#else
static void foo_put(struct foo_sb *sb)
{
	spin_lock(&sb->list_lock);
	sb->dirty--;
	spin_unlock(&sb->list_lock);
	spin_unlock(&sb->list_lock);
}
#endif

int foo_writeback(struct foo_sb *sb)
{
	spin_lock(&sb->list_lock);
#if defined(CONFIG_FOO_STATS) && CONFIG_FOO_MAX_DIRTY > 32
	sb->dirty = 0;
#elif defined(CONFIG_FOO_LEGACY)
	spin_unlock(&sb->list_lock);
#endif
	spin_unlock(&sb->list_lock);
	foo_put(sb);
	foo_debug_check(sb);
	return 0;
}
