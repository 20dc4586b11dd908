/*
 * The callees: one asserts the book lock, one releases it. Their callers are in batch.c, so their
 * contracts reach the callers only through the tree's index.
 */
#include "ledger.h"

void ledger_post_locked(struct ledger *l, int n)
{
	lockdep_assert_held(&l->book_lock);
	l->entries += n;
}

void ledger_close_book(struct ledger *l)
{
	l->pending = 0;
	mutex_unlock(&l->book_lock);
}

const struct ledger_operations ledger_ops = {
	.audit	= ledger_audit,
};
