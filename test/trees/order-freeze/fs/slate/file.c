// SPDX-License-Identifier: GPL-2.0
/*
 * slate (lockscope test tree, own writing): the write path takes freeze
 * protection and then the inode lock, as every writer must; the "stamp" ioctl
 * takes the inode lock first and only then asks for freeze protection, so a
 * freeze between the two leaves the ioctl waiting for the freezer, the freezer
 * for the writer's protection, and the writer for the inode lock.
 */
#include <linux/fs.h>

#define SLATE_IOC_STAMP		_IOW('s', 1, long)

static ssize_t slate_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret;

	sb_start_write(inode->i_sb);
	inode_lock(inode); /* expect: lock-order-inversion */
	ret = slate_copy_in(inode, iocb->ki_pos, from);
	inode_unlock(inode);
	if (ret > 0 && !is_sync_kiocb(iocb)) {
		/* queued without handing the protection to the completion: a freeze waits for ever */
		slate_queue_completion(iocb, ret);
		return -EIOCBQUEUED; /* expect: lock-imbalance */
	}
	sb_end_write(inode->i_sb);
	return ret;
}

static int slate_stamp(struct inode *inode, long stamp)
{
	int err = 0;

	inode_lock(inode);
	if (IS_IMMUTABLE(inode)) {
		err = -EPERM;
		goto out;
	}
	sb_start_write(inode->i_sb);
	slate_set_stamp(inode, stamp);
	sb_end_write(inode->i_sb);
out:
	inode_unlock(inode);
	return err;
}

/* zeroes a range: a writer of its own, from the fallocate path below */
static int slate_zero_range(struct inode *inode, loff_t start, loff_t len)
{
	int ret;

	sb_start_write(inode->i_sb);
	ret = slate_zero_blocks(inode, start, len);
	sb_end_write(inode->i_sb);
	return ret;
}

/*
 * fallocate already holds freeze protection when it zeroes the range: a
 * freeze that starts in between waits for this task's first hold while this
 * task waits behind the freeze for its second.
 */
static long slate_fallocate(struct file *file, int mode, loff_t offset, loff_t len)
{
	struct inode *inode = file_inode(file);
	long ret;

	sb_start_write(inode->i_sb);
	ret = slate_zero_range(inode, offset, len); /* expect: recursive-lock */
	sb_end_write(inode->i_sb);
	return ret;
}

static long slate_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case SLATE_IOC_STAMP:
		return slate_stamp(file_inode(file), (long)arg);
	default:
		return -ENOTTY;
	}
}

const struct file_operations slate_file_operations = {
	.write_iter	= slate_write_iter,
	.unlocked_ioctl	= slate_ioctl,
	.fallocate	= slate_fallocate,
};
