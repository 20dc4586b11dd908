/* Miniature iomap direct-I/O interface for lockscope's tests (not kernel source). */
#ifndef _LINUX_IOMAP_H
#define _LINUX_IOMAP_H

struct iomap_ops;

struct iomap_dio_ops {
	int (*end_io)(struct kiocb *iocb, ssize_t size, int error, unsigned int flags);
};

struct iomap_dio *__iomap_dio_rw(struct kiocb *iocb, struct iov_iter *iter,
		const struct iomap_ops *ops, const struct iomap_dio_ops *dops,
		bool wait_for_completion);
ssize_t iomap_dio_complete(struct iomap_dio *dio);
ssize_t iomap_dio_rw(struct kiocb *iocb, struct iov_iter *iter,
		const struct iomap_ops *ops, const struct iomap_dio_ops *dops,
		bool wait_for_completion);

#endif
