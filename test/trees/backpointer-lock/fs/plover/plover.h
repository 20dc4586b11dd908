/* plover: an inode holds capabilities; each capability points back at its inode. */
#include <linux/fs.h>

struct plover_cap;

struct plover_inode {
	spinlock_t lock;
	struct plover_cap *auth_cap;
	struct inode vfs_inode;
};

struct plover_cap {
	struct plover_inode *pi;
	int issued;
};

static inline struct plover_inode *PLOVER_I(struct inode *inode)
{
	return container_of(inode, struct plover_inode, vfs_inode);
}
