// SPDX-License-Identifier: GPL-2.0
/*
 * Page locks by the mapping the page came from (lockscope test tree, own
 * writing). A file's data page is held while each of tallow's mutexes is
 * taken; under the allocation mutex, a data page is locked again (an
 * inversion), while under the other three a block-map page, a page the
 * block-map buffer holds, or a private page is locked: other classes. The
 * buffer's pages are the block map's (stored there when it is read), so a
 * buffer page held while map_mutex is taken is an inversion with the block
 * map page taken under it.
 */
#include <linux/fs.h>
#include "tallow.h"

/* buffered write: the data page first, then each mutex */
static int tallow_write_page(struct inode *inode, pgoff_t index, int what)
{
	struct tallow_sb_info *sbi = TALLOW_SB(inode->i_sb);
	struct page *page;

	page = grab_cache_page_write_begin(inode->i_mapping, index);
	if (!page)
		return -ENOMEM;
	switch (what) {
	case 0:
		mutex_lock(&sbi->alloc_mutex); /* expect: lock-order-inversion */
		mutex_unlock(&sbi->alloc_mutex);
		break;
	case 1:
		mutex_lock(&sbi->map_mutex);
		mutex_unlock(&sbi->map_mutex);
		break;
	case 2:
		mutex_lock(&sbi->buf_mutex);
		mutex_unlock(&sbi->buf_mutex);
		break;
	default:
		mutex_lock(&sbi->scratch_mutex);
		mutex_unlock(&sbi->scratch_mutex);
		break;
	}
	unlock_page(page);
	put_page(page);
	return 0;
}

/* allocation zeroes the tail of the file's last page: a data page under alloc_mutex */
static int tallow_alloc_tail(struct tallow_sb_info *sbi, struct inode *inode)
{
	struct page *page;

	mutex_lock(&sbi->alloc_mutex);
	page = find_lock_page(inode->i_mapping, inode->i_size >> PAGE_SHIFT);
	if (page) {
		zero_user_tail(page);
		unlock_page(page);
		put_page(page);
	}
	mutex_unlock(&sbi->alloc_mutex);
	return 0;
}

/* the block map lives in the metadata inode's page cache */
static int tallow_map_block(struct tallow_sb_info *sbi, pgoff_t blk)
{
	struct page *page;
	int err = 0;

	mutex_lock(&sbi->map_mutex);
	page = find_lock_page(sbi->meta_inode->i_mapping, blk); /* expect: lock-order-inversion */
	if (!page) {
		err = -EIO;
		goto out;
	}
	unlock_page(page);
	put_page(page);
out:
	mutex_unlock(&sbi->map_mutex);
	return err;
}

/* reading a block-map buffer: its page is the metadata inode's */
static int tallow_buf_read(struct tallow_sb_info *sbi, struct tallow_buf *buf, pgoff_t blk)
{
	struct page *page;

	page = find_or_create_page(sbi->meta_inode->i_mapping, blk, GFP_NOFS);
	if (!page)
		return -ENOMEM;
	buf->pages[0] = page;
	buf->start = (u64)blk << PAGE_SHIFT;
	unlock_page(page);
	return 0;
}

/*
 * filling a buffer maps its block with the buffer's page locked: the page is one
 * of the metadata inode's, the class tallow_map_block locks under map_mutex
 */
static void tallow_buf_fill(struct tallow_sb_info *sbi, struct tallow_buf *buf)
{
	lock_page(buf->pages[0]);
	mutex_lock(&sbi->map_mutex);
	buf->start = 0;
	mutex_unlock(&sbi->map_mutex);
	unlock_page(buf->pages[0]);
}

/* a block-map buffer's own page */
static void tallow_buf_mark(struct tallow_sb_info *sbi, struct tallow_buf *buf)
{
	mutex_lock(&sbi->buf_mutex);
	lock_page(buf->pages[0]);
	set_page_dirty(buf->pages[0]);
	unlock_page(buf->pages[0]);
	mutex_unlock(&sbi->buf_mutex);
}

/* a private bounce page nobody else can find */
static int tallow_bounce(struct tallow_sb_info *sbi)
{
	struct page *bounce;

	bounce = alloc_page(GFP_NOFS);
	if (!bounce)
		return -ENOMEM;
	mutex_lock(&sbi->scratch_mutex);
	lock_page(bounce);
	unlock_page(bounce);
	mutex_unlock(&sbi->scratch_mutex);
	__free_page(bounce);
	return 0;
}

int tallow_entry(struct inode *inode, struct tallow_buf *buf, int what)
{
	struct tallow_sb_info *sbi = TALLOW_SB(inode->i_sb);

	tallow_write_page(inode, 0, what);
	tallow_alloc_tail(sbi, inode);
	tallow_map_block(sbi, 0);
	tallow_buf_read(sbi, buf, 0);
	tallow_buf_fill(sbi, buf);
	tallow_buf_mark(sbi, buf);
	return tallow_bounce(sbi);
}
