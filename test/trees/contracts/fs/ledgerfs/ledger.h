/* The ledger filesystem's shared declarations (lockscope test tree, own writing). */
#include <linux/mutex.h>

struct ledger {
	struct mutex book_lock;
	int entries;
	int pending;
};

void ledger_post_locked(struct ledger *l, int n);
void ledger_close_book(struct ledger *l);
