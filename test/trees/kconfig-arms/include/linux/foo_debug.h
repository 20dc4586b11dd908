/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_FOO_DEBUG_H
#define _LINUX_FOO_DEBUG_H

#include <linux/spinlock.h>

struct foo_sb;

#ifdef CONFIG_DEBUG_FOO
/* the debug build checks the superblock under its own lock: a debug-only lock */
static inline void foo_debug_check(struct foo_sb *sb)
{
	spin_lock(&sb->debug_lock);
	foo_debug_walk(sb);
	spin_lock(&sb->debug_lock);
	spin_unlock(&sb->debug_lock);
}
#else
static inline void foo_debug_check(struct foo_sb *sb)
{
}
#endif

#endif /* _LINUX_FOO_DEBUG_H */
