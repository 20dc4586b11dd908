/*
 * The write path: the I/O mutex is taken here, and the flush it calls for a
 * synchronous write (in flush.c) takes it again. The finding's path runs
 * through both files; neither is opened by the LSP test.
 */
#include <linux/quill.h>

static int quill_copy_in(struct quill_inode *qi, const char *buf, int len)
{
	qi->dirty += len;
	return len;
}

int quill_write(struct quill_inode *qi, const char *buf, int len, int sync)
{
	int ret;

	mutex_lock(&qi->io_mutex);
	ret = quill_copy_in(qi, buf, len);
	if (ret > 0 && sync)
		ret = quill_flush(qi); /* expect: recursive-lock */
	mutex_unlock(&qi->io_mutex);
	return ret;
}

int quill_write_nosync(struct quill_inode *qi, const char *buf, int len)
{
	int ret;

	mutex_lock(&qi->io_mutex);
	ret = quill_copy_in(qi, buf, len);
	mutex_unlock(&qi->io_mutex);
	return ret;
}
