// SPDX-License-Identifier: GPL-2.0
/* Built only with CONFIG_FOO_STATS (fs/foo/Makefile): the tree's .config sets it. */
#include "foo.h"

void foo_stats_update(struct foo_sb *sb)
{
	mutex_lock(&sb->lock);
	if (sb->dirty > 1)
		return; /* expect: lock-imbalance */
	mutex_unlock(&sb->lock);
}
