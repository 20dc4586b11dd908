/* The ledger filesystem's shared declarations (lockscope test tree, own writing). */
#include <linux/mutex.h>

struct ledger {
	struct mutex book_lock;
	int entries;
	int pending;
};

/* what the ledger's users call; each caller holds the book lock as the interface documents */
struct ledger_operations {
	int (*audit)(struct ledger *l);
};

void ledger_post_locked(struct ledger *l, int n);
int ledger_audit(struct ledger *l);
void ledger_close_book(struct ledger *l);
