// SPDX-License-Identifier: GPL-2.0
/*
 * tarn (lockscope test tree, own writing): the same two operations as
 * slate's, but the ioctl takes freeze protection before the inode lock: one
 * order, no cycle. An asynchronous write hands its protection to the
 * completion, which ends it: nothing is left held.
 */
#include <linux/fs.h>

#define TARN_IOC_STAMP		_IOW('t', 1, long)

static ssize_t tarn_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	file_start_write(iocb->ki_filp);
	inode_lock(inode);
	ret = tarn_copy_in(inode, iocb->ki_pos, from);
	inode_unlock(inode);
	if (ret > 0 && !is_sync_kiocb(iocb)) {
		/* the completion takes the protection back and ends it */
		__sb_writers_release(inode->i_sb, SB_FREEZE_WRITE);
		tarn_queue_completion(iocb, ret);
		return -EIOCBQUEUED;
	}
	file_end_write(iocb->ki_filp);
	return ret;
}

/* the completion of an asynchronous write ends the protection it was handed */
void tarn_write_complete(struct kiocb *iocb, long res)
{
	struct inode *inode = file_inode(iocb->ki_filp);

	if (S_ISREG(inode->i_mode))
		__sb_writers_acquired(inode->i_sb, SB_FREEZE_WRITE);
	file_end_write(iocb->ki_filp);
	iocb->ki_complete(iocb, res);
}

static long tarn_stamp(struct file *file, long stamp)
{
	struct inode *inode = file_inode(file);

	if (IS_IMMUTABLE(inode))
		return -EPERM;
	sb_start_write(inode->i_sb);
	inode_lock(inode);
	tarn_set_stamp(inode, stamp);
	inode_unlock(inode);
	sb_end_write(inode->i_sb);
	return 0;
}

static long tarn_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (cmd != TARN_IOC_STAMP)
		return -ENOTTY;
	return tarn_stamp(file, (long)arg);
}

const struct file_operations tarn_file_operations = {
	.write_iter	= tarn_write_iter,
	.unlocked_ioctl	= tarn_ioctl,
};
