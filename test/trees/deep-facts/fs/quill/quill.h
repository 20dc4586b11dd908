/* quill: a filesystem of invented names, for facts that cross files (lockscope test tree, own writing). */
#ifndef _QUILL_H
#define _QUILL_H

#include <linux/fs.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>

struct quill_journal {
	struct mutex		commit_mutex;
	spinlock_t		list_lock;
	struct list_head	dirty;
	int			nr_dirty;
};

struct quill_sb_info {
	struct quill_journal	*journal;
	spinlock_t		stat_lock;
	unsigned long		free_blocks;
};

/* journal.c */
void quill_journal_note_dirty(struct quill_journal *j, int nr);
void *quill_journal_alloc_entry(struct quill_journal *j, gfp_t gfp);
void quill_journal_wait_commit(struct quill_journal *j);

/* block.c */
void quill_mark_block_dirty(struct quill_sb_info *sbi, int nr);
int quill_reserve(struct quill_sb_info *sbi, gfp_t gfp);
void quill_sync_blocks(struct quill_sb_info *sbi);

#endif
