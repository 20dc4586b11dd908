// SPDX-License-Identifier: GPL-2.0
/*
 * A generic direct-I/O helper (lockscope test tree, own writing): it pins the
 * user's pages for each segment of the iterator and submits them. Pinning may
 * fault the pages in, and a fault on a file mapping enters that file's
 * ->fault or ->page_mkwrite. It takes no lock of its own.
 */
#include <linux/fs.h>

#define GDIO_MAX_PAGES	16

static ssize_t gdio_pin_segment(struct iov_iter *iter, struct page **pages)
{
	size_t start;

	return iov_iter_get_pages2(iter, pages, iov_iter_count(iter),
				   GDIO_MAX_PAGES, &start);
}

ssize_t gdio_rw(struct kiocb *iocb, struct iov_iter *iter)
{
	struct page *pages[GDIO_MAX_PAGES];
	ssize_t done = 0;

	while (iov_iter_count(iter)) {
		ssize_t n = gdio_pin_segment(iter, pages);

		if (n <= 0)
			return done ? done : n;
		gdio_submit(iocb, pages, n);
		done += n;
	}
	return done;
}
