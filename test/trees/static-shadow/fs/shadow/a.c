// SPDX-License-Identifier: GPL-2.0
/*
 * A static shadow_helper() that takes the device mutex, sharing its name with
 * the global one in b.c, which takes no lock. A call from this file means the
 * static one (C scope rules), so calling it with the mutex held deadlocks; it
 * is reported only when calls resolve to the caller file's statics before the
 * globals (lockscope test tree, own writing).
 */
#include "shadow.h"

static void shadow_helper(struct shadow_dev *sd)
{
	mutex_lock(&sd->lock);
	sd->count++;
	mutex_unlock(&sd->lock);
}

void shadow_a_reset(struct shadow_dev *sd)
{
	mutex_lock(&sd->lock);
	sd->flags = 0;
	shadow_helper(sd); /* expect: recursive-lock */
	mutex_unlock(&sd->lock);
}
