/* container_of and the list head, written for lockscope's tests (not kernel source). */
#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H

#define offsetof(TYPE, MEMBER)	__builtin_offsetof(TYPE, MEMBER)

#define container_of(ptr, type, member) ({				\
	void *__mptr = (void *)(ptr);					\
	((type *)(__mptr - offsetof(type, member))); })

struct list_head {
	struct list_head *next, *prev;
};

#define list_entry(ptr, type, member) \
	container_of(ptr, type, member)

#define EXPORT_SYMBOL(sym)	extern typeof(sym) sym
#define EXPORT_SYMBOL_GPL(sym)	extern typeof(sym) sym

#endif /* _LINUX_KERNEL_H */
