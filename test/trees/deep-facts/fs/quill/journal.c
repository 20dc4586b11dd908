// SPDX-License-Identifier: GPL-2.0
/* The journal: what the rest of quill calls, from other files. */
#include <linux/slab.h>
#include "quill.h"

/* the caller must hold the commit mutex */
void quill_journal_note_dirty(struct quill_journal *j, int nr)
{
	lockdep_assert_held(&j->commit_mutex);
	j->nr_dirty += nr;
}

/* allocates with whatever flags the caller passes */
void *quill_journal_alloc_entry(struct quill_journal *j, gfp_t gfp)
{
	return kzalloc(sizeof(struct list_head), gfp);
}

/* waits for the running commit */
void quill_journal_wait_commit(struct quill_journal *j)
{
	mutex_lock(&j->commit_mutex);
	mutex_unlock(&j->commit_mutex);
}
