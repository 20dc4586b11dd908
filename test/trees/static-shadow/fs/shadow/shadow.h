/* SPDX-License-Identifier: GPL-2.0 */
/* The shadow filesystem's private header (lockscope test tree, own writing). */
#ifndef _FS_SHADOW_H
#define _FS_SHADOW_H

#include <linux/mutex.h>

struct shadow_dev {
	struct mutex	lock;
	int		count;
	int		flags;
};

#endif
