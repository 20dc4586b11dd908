/*
 * A miniature of the kernel's reference counter with a release callback, written for lockscope's tests (not
 * kernel source): kref_put() calls release() synchronously when the last reference goes.
 */
#ifndef _LINUX_KREF_H
#define _LINUX_KREF_H

struct kref {
	int refcount;
};

static inline int kref_put(struct kref *kref, void (*release)(struct kref *kref))
{
	if (--kref->refcount == 0) {
		release(kref);
		return 1;
	}
	return 0;
}

#endif /* _LINUX_KREF_H */
