/*
 * Callers in another file: they need the book lock (ledger_post_locked asserts it) or release it
 * (through ledger_close_book), which only the other file's summaries say.
 */
#include "ledger.h"

static void ledger_post_batch(struct ledger *l, const int *amounts, int count)
{
	int i;

	for (i = 0; i < count; i++)
		ledger_post_locked(l, amounts[i]);
}

static void ledger_finish(struct ledger *l)
{
	ledger_post_locked(l, l->pending);
	ledger_close_book(l);
}

static void ledger_maybe_finish(struct ledger *l, bool done)
{
	if (done)
		ledger_close_book(l);
}

/*
 * A method (post.c installs it in the ledger's ops table): the callee's assertion says nothing of what its
 * callers hold; the interface does. No contract is written for it.
 */
int ledger_audit(struct ledger *l)
{
	ledger_post_locked(l, 0);
	return l->entries;
}

int ledger_run(struct ledger *l, const int *amounts, int count)
{
	mutex_lock(&l->book_lock);
	ledger_post_batch(l, amounts, count);
	ledger_maybe_finish(l, true);
	return 0;
}
