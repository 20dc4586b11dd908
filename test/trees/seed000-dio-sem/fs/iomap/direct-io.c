// SPDX-License-Identifier: GPL-2.0
/*
 * Direct I/O through iomap (lockscope test tree, own writing): iomap_dio_rw()
 * completes a synchronous dio in the submitter's context, so its O_DSYNC sync
 * runs under whatever the submitter holds;
 * __iomap_dio_rw() submits and hands the dio back, so a filesystem can drop
 * its locks before iomap_dio_complete() syncs the write; an asynchronous dio
 * completes from its bio's end_io callback, a context of its own.
 */
#include <linux/fs.h>
#include <linux/iomap.h>

#define IOMAP_DIO_NEED_SYNC	(1 << 0)
#define IOMAP_DIO_WRITE		(1 << 1)

struct iomap_dio {
	struct kiocb			*iocb;
	const struct iomap_dio_ops	*dops;
	ssize_t				size;
	int				error;
	unsigned int			flags;
	atomic_t			ref;
	struct work_struct		work;
};

ssize_t iomap_dio_complete(struct iomap_dio *dio)
{
	const struct iomap_dio_ops *dops = dio->dops;
	struct kiocb *iocb = dio->iocb;
	ssize_t ret = dio->error;

	if (dops && dops->end_io)
		ret = dops->end_io(iocb, dio->size, ret, dio->flags);
	if (likely(!ret))
		ret = dio->size;

	/* sync the write if the file or the iocb asked for it */
	if (ret > 0 && (dio->flags & IOMAP_DIO_NEED_SYNC))
		ret = generic_write_sync(iocb, ret);

	kfree(dio);
	return ret;
}

static void iomap_dio_complete_work(struct work_struct *work)
{
	struct iomap_dio *dio = container_of(work, struct iomap_dio, work);
	struct kiocb *iocb = dio->iocb;

	iocb->ki_complete(iocb, iomap_dio_complete(dio), 0);
}

static void iomap_dio_bio_end_io(struct bio *bio)
{
	struct iomap_dio *dio = bio->bi_private;

	if (atomic_dec_and_test(&dio->ref)) {
		INIT_WORK(&dio->work, iomap_dio_complete_work);
		queue_work(dio_wq, &dio->work);
	}
}

struct iomap_dio *__iomap_dio_rw(struct kiocb *iocb, struct iov_iter *iter,
		const struct iomap_ops *ops, const struct iomap_dio_ops *dops,
		bool wait_for_completion)
{
	struct iomap_dio *dio;
	struct bio *bio;

	dio = kmalloc(sizeof(*dio), GFP_KERNEL);
	if (!dio)
		return ERR_PTR(-ENOMEM);
	dio->iocb = iocb;
	dio->dops = dops;
	dio->error = 0;
	dio->flags = IOMAP_DIO_WRITE;
	if (iocb->ki_flags & IOCB_DSYNC)
		dio->flags |= IOMAP_DIO_NEED_SYNC;

	bio = bio_alloc(GFP_KERNEL, 1);
	bio->bi_private = dio;
	bio->bi_end_io = iomap_dio_bio_end_io;
	submit_bio(bio);

	if (!wait_for_completion)
		return ERR_PTR(-EIOCBQUEUED);
	return dio;
}

ssize_t iomap_dio_rw(struct kiocb *iocb, struct iov_iter *iter,
		const struct iomap_ops *ops, const struct iomap_dio_ops *dops,
		bool wait_for_completion)
{
	struct iomap_dio *dio;
	struct bio *bio;

	dio = kmalloc(sizeof(*dio), GFP_KERNEL);
	if (!dio)
		return -ENOMEM;
	dio->iocb = iocb;
	dio->dops = dops;
	dio->error = 0;
	dio->flags = IOMAP_DIO_WRITE;
	if (iocb->ki_flags & IOCB_DSYNC)
		dio->flags |= IOMAP_DIO_NEED_SYNC;

	bio = bio_alloc(GFP_KERNEL, 1);
	bio->bi_private = dio;
	bio->bi_end_io = iomap_dio_bio_end_io;
	submit_bio(bio);

	if (!wait_for_completion)
		return -EIOCBQUEUED;
	return iomap_dio_complete(dio);
}
