/* SPDX-License-Identifier: GPL-2.0 */
/* pipit's own structures (lockscope test tree, own writing). */
#ifndef _PIPIT_H
#define _PIPIT_H

#include <linux/fs.h>

#define FGP_LOCK	0x00000002
#define FGP_NOWAIT	0x00000020

struct pipit_sb_info {
	struct super_block	*sb;
	struct mutex		alloc_mutex;
	struct mutex		scan_mutex;
};

static inline struct pipit_sb_info *PIPIT_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

#endif
