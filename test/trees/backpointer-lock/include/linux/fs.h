/* Just enough of the kernel's headers for the tree to be indexed as one (include/linux/). */
typedef long long loff_t;
typedef struct {
	int raw;
} spinlock_t;
void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
#define lockdep_assert_held(l) do { } while (0)
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

struct inode {
	unsigned long i_state;
};

struct address_space {
	struct inode *host;
};

struct file {
	struct address_space *f_mapping;
	void *private_data;
};

struct file_operations {
	int (*fsync)(struct file *, loff_t, loff_t, int datasync);
	int (*release)(struct inode *, struct file *);
	int (*flush)(struct file *, void *id);
};
