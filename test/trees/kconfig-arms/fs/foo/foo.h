/* SPDX-License-Identifier: GPL-2.0 */
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/foo_debug.h>

struct foo_sb {
	struct mutex lock;
	spinlock_t list_lock;
	spinlock_t debug_lock;
	int dirty;
};

void foo_journal_commit(struct foo_sb *sb);
void foo_stats_update(struct foo_sb *sb);
