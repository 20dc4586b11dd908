// SPDX-License-Identifier: GPL-2.0
/* Blocks: helpers that pass the journal's facts on, to their callers in other files. */
#include "quill.h"

/* needs the journal's commit mutex, one file down */
void quill_mark_block_dirty(struct quill_sb_info *sbi, int nr)
{
	quill_journal_note_dirty(sbi->journal, nr);
}

/* sleeps if the flags it is given allow blocking, one file down */
int quill_reserve(struct quill_sb_info *sbi, gfp_t gfp)
{
	void *e = quill_journal_alloc_entry(sbi->journal, gfp);

	if (!e)
		return -ENOMEM;
	sbi->free_blocks--;
	return 0;
}

/* sleeps, one file down */
void quill_sync_blocks(struct quill_sb_info *sbi)
{
	quill_journal_wait_commit(sbi->journal);
}
