// SPDX-License-Identifier: GPL-2.0
/* Waiting for an ordered extent starts its writeback (lockscope test tree, own writing). */
#include "marl.h"

void marl_start_ordered(struct inode *inode, struct marl_ordered *ordered)
{
	u64 end = ordered->file_offset + ordered->len - 1;

	filemap_fdatawrite_range(inode->i_mapping, ordered->file_offset, end);
	marl_wait_ordered(ordered);
}
