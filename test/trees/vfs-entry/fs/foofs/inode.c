// SPDX-License-Identifier: GPL-2.0
/*
 * The VFS calls ->setattr and ->fileattr_set with the inode lock held, and
 * ->read_folio with the folio locked (Documentation/filesystems/locking.rst).
 * A helper that takes the inode lock again deadlocks; a read_folio that
 * unlocks its folio when done is the protocol, not a bug (lockscope test tree,
 * own writing).
 */
#include <linux/fs.h>

static int foofs_truncate(struct inode *inode, loff_t size)
{
	inode_lock(inode);
	inode->i_size = size;
	inode_unlock(inode);
	return 0;
}

static int foofs_setattr(struct user_namespace *mnt_userns, struct dentry *dentry, struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);

	if (attr->ia_valid & ATTR_SIZE)
		return foofs_truncate(inode, attr->ia_size); /* expect: recursive-lock */
	return 0;
}

static int foofs_fileattr_set(struct user_namespace *mnt_userns, struct dentry *dentry, struct fileattr *fa)
{
	struct inode *inode = d_inode(dentry);

	lockdep_assert_held(&inode->i_rwsem);
	inode->i_flags = fa->flags;
	return 0;
}

static int foofs_read_folio(struct file *file, struct folio *folio)
{
	int err = foofs_fill_folio(folio);

	if (!err)
		folio_mark_uptodate(folio);
	folio_unlock(folio);
	return err;
}

const struct inode_operations foofs_file_inode_operations = {
	.setattr	= foofs_setattr,
	.fileattr_set	= foofs_fileattr_set,
};

const struct address_space_operations foofs_aops = {
	.read_folio	= foofs_read_folio,
};
