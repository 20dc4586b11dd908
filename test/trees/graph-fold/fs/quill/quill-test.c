/* Unit tests of quill (built only with CONFIG_QUILL_KUNIT_TEST, which depends on KUNIT): debug-only. */
#include <linux/fs.h>

static spinlock_t quill_test_lock;

void quill_test_size(struct inode *inode)
{
	spin_lock(&quill_test_lock);
	inode->i_size = 0;
	spin_unlock(&quill_test_lock);
}
