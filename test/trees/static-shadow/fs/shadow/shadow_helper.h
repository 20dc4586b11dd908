/* SPDX-License-Identifier: GPL-2.0 */
/* The global shadow_helper() of b.c; a.c does not include this, it has its own (lockscope test tree, own writing). */
#ifndef _FS_SHADOW_HELPER_H
#define _FS_SHADOW_HELPER_H

#include "shadow.h"

void shadow_helper(struct shadow_dev *sd);

#endif
