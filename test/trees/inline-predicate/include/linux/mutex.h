/* Just enough of the kernel's headers for the tree to be indexed as one (include/linux/). */
struct mutex {
	int owner;
};
void mutex_lock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);
