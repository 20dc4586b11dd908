/* Just enough of the kernel's spinlocks for the fixture. */
typedef struct spinlock {
	int rlock;
} spinlock_t;
void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
