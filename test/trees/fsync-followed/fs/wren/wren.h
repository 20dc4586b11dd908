/* wren: a filesystem whose ->fsync never takes the inode lock (lockscope test tree). */
#include <linux/fs.h>

struct wren_inode_info {
	struct mutex	log_mutex;
	struct inode	vfs_inode;
};

#define WREN_I(ino) container_of(ino, struct wren_inode_info, vfs_inode)

int wren_fsync(struct file *file, loff_t start, loff_t end, int datasync);
ssize_t wren_file_write_iter(struct kiocb *iocb, struct iov_iter *from);

struct wren_ctx {
	struct mutex	lock;
	int		n;
	struct file	*file;
};

void wren_ctx_use(struct wren_ctx *c);
void wren_ctx_bump(struct wren_ctx *c);
void wren_ctx_flush(struct wren_ctx *c);
