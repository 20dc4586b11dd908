/**
 * The lock orders the kernel's own documentation states, as data (docs/documented-orders.md): the lock-ordering
 * comments of mm/filemap.c, mm/rmap.c and fs/inode.c, the locking tables of Documentation/filesystems/locking.rst,
 * and the order comments of filesystems that write theirs down (ext4, xfs, btrfs, f2fs, ocfs2). Each entry is a
 * chain, outermost first, in our own words, citing the document, its section and the line the section starts
 * at in Linux 6.1; the chain says that each lock is taken before every lock after it (a nested list in the
 * document is one chain per branch). Classes are named as lockscope names lock-order classes
 * (syntax/lockclass.ts): a name without a qualifier (`struct inode::i_rwsem`) stands for every filesystem's
 * class of that lock, or, in an entry with `fs`, for that filesystem's only (checks/docorder.ts matches them).
 * Locks lockscope has no class for (freeze protection, a journal handle, the page-cache xarray's lock, global
 * spinlocks) are named all the same, so that the listing shows the whole documented order, never confirmed.
 */

export interface DocumentedOrder {
  /** Lock classes in the order the document gives, outermost first. */
  order: string[];
  /** The filesystem the document is about (`fs/ext4`); absent: the VFS's or mm's order, for every filesystem. */
  fs?: string;
  /** The document (a path in the kernel tree), its section, and the line the section starts at in 6.1. */
  source: { doc: string; section: string; line: number };
  /** What the document says, in our words. */
  says: string;
}

// the classes the documents name, as lockscope names them
const I_RWSEM = 'struct inode::i_rwsem';
const INVALIDATE = 'struct address_space::invalidate_lock';
const I_MMAP = 'struct address_space::i_mmap_rwsem';
const MMAP = 'struct mm_struct::mmap_lock';
const PAGE = 'struct page::PG_locked';
const ANON_VMA = 'struct anon_vma::rwsem';
const PTL = 'struct mm_struct::page_table_lock';
const PRIVATE = 'struct address_space::private_lock';
const I_LOCK = 'struct inode::i_lock';
const WB_LIST = 'struct bdi_writeback::list_lock';
const LRU = 'struct lruvec::lru_lock';
const MOVE = 'struct mem_cgroup::move_lock';
const INODE_LIST = 'struct super_block::s_inode_list_lock';
// not classes lockscope builds (named for the listing): the page cache's xarray lock, global locks, freeze
// protection and journal handles
const I_PAGES = 'struct address_space::i_pages';
const SWAP_LOCK = 'spinlock:swap_lock';
const MMLIST = 'spinlock:mmlist_lock';
const SB_LOCK = 'spinlock:sb_lock';
const TASKLIST = 'rwlock:tasklist_lock';
const INODE_HASH = 'spinlock:inode_hash_lock';
const SB_WRITERS = 'struct super_block::s_writers';
const JBD2_HANDLE = 'jbd2 handle (transaction start)';

const FILEMAP = 'mm/filemap.c';
const RMAP = 'mm/rmap.c';
const LOCKING = 'Documentation/filesystems/locking.rst';

export const DOCUMENTED_ORDERS: readonly DocumentedOrder[] = [
  // mm/filemap.c, the comment above page_cache_delete()
  {
    order: [I_MMAP, PRIVATE, SWAP_LOCK, I_PAGES],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: 'truncating the page cache nests the private lock, the swap lock and the xarray lock under i_mmap_rwsem',
  },
  {
    order: [I_RWSEM, INVALIDATE, I_MMAP],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: 'a truncate takes the invalidate lock inside the inode lock, and unmaps (i_mmap_rwsem) inside both',
  },
  {
    order: [MMAP, I_MMAP, PTL, I_PAGES],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: 'memory code walking a mapping holds mmap_lock, then i_mmap_rwsem, then a page-table lock',
  },
  {
    order: [MMAP, INVALIDATE, PAGE],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: 'a page fault takes the invalidate lock under mmap_lock and locks the page under both',
  },
  {
    order: [I_RWSEM, MMAP],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: 'a buffered write may fault in its user buffer (mmap_lock) while the inode lock is held',
  },
  {
    order: [WB_LIST, SB_LOCK],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: "writeback takes the superblock list lock inside its writeback list's lock",
  },
  {
    order: [WB_LIST, I_PAGES],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: "writing an inode back takes the page cache's xarray lock inside the writeback list's lock",
  },
  {
    order: [I_MMAP, ANON_VMA, PTL],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: 'vma changes take the anon_vma lock inside i_mmap_rwsem, and page tables inside both',
  },
  {
    order: [PTL, SWAP_LOCK],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: 'unmapping a page under its page-table lock may take the swap lock',
  },
  {
    order: [PTL, PRIVATE],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: 'dirtying a page under its page-table lock may take the mapping private lock',
  },
  {
    order: [PTL, LRU],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: 'marking or isolating a page under its page-table lock takes the lru lock',
  },
  {
    order: [PTL, WB_LIST],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: "dirtying a page under its page-table lock may take the writeback list's lock",
  },
  {
    order: [PTL, I_LOCK],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: 'dirtying a page under its page-table lock marks its inode dirty (i_lock)',
  },
  {
    order: [PTL, MOVE],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: "removing a page's rmap under its page-table lock takes the memcg move lock",
  },
  {
    order: [I_MMAP, TASKLIST],
    source: { doc: FILEMAP, section: 'Lock ordering (header comment)', line: 72 },
    says: 'memory-failure handling walks the task list under i_mmap_rwsem',
  },
  // mm/rmap.c, the comment at the top of the file: one nested list, one chain per branch
  {
    order: [I_RWSEM, MMAP, INVALIDATE, PAGE, I_MMAP, ANON_VMA, PTL, SWAP_LOCK, MMLIST],
    source: { doc: RMAP, section: 'Lock ordering in mm (header comment)', line: 21 },
    says: 'the mm order from the inode lock (writes and truncates) down to the swap and mm-list locks',
  },
  {
    order: [PTL, SWAP_LOCK, PRIVATE, MOVE, I_PAGES, LRU],
    source: { doc: RMAP, section: 'Lock ordering in mm (header comment)', line: 21 },
    says: 'under the page-table lock: swap lock, mapping private lock, memcg move lock, xarray lock, lru lock',
  },
  {
    order: [SWAP_LOCK, I_LOCK],
    source: { doc: RMAP, section: 'Lock ordering in mm (header comment)', line: 21 },
    says: 'marking an inode dirty (i_lock) nests under the swap lock in the mm order',
  },
  {
    order: [SWAP_LOCK, WB_LIST, SB_LOCK],
    source: { doc: RMAP, section: 'Lock ordering in mm (header comment)', line: 21 },
    says: "the writeback list's lock nests under the swap lock, and the superblock list lock under it",
  },
  {
    order: [WB_LIST, I_PAGES],
    source: { doc: RMAP, section: 'Lock ordering in mm (header comment)', line: 21 },
    says: "the xarray lock nests under the writeback list's lock",
  },
  {
    order: [ANON_VMA, TASKLIST, PTL],
    source: { doc: RMAP, section: 'Lock ordering in mm (header comment)', line: 21 },
    says: 'collecting processes for memory failure takes the task list under the anon_vma lock, then page tables',
  },
  {
    order: [I_MMAP, TASKLIST],
    source: { doc: RMAP, section: 'Lock ordering in mm (header comment)', line: 21 },
    says: 'the same holds under i_mmap_rwsem',
  },
  {
    order: ['struct hugetlb_vma_lock::rw_sema', I_MMAP, PAGE],
    fs: 'fs/hugetlbfs',
    source: { doc: RMAP, section: 'hugetlbfs lock order (header comment)', line: 48 },
    says: 'hugetlb pages: the vma lock for pmd sharing, then i_mmap_rwsem, then the page lock',
  },
  // fs/inode.c, the comment at the top of the file
  {
    order: [INODE_LIST, I_LOCK, 'struct list_lru_node::lock'],
    source: { doc: 'fs/inode.c', section: 'Lock ordering (header comment)', line: 40 },
    says: "the superblock's inode list lock, then an inode's i_lock, then the inode LRU list locks",
  },
  {
    order: [WB_LIST, I_LOCK],
    source: { doc: 'fs/inode.c', section: 'Lock ordering (header comment)', line: 40 },
    says: "an inode's i_lock nests inside the writeback list's lock",
  },
  {
    order: [INODE_HASH, INODE_LIST],
    source: { doc: 'fs/inode.c', section: 'Lock ordering (header comment)', line: 40 },
    says: "the inode hash lock is taken before the superblock's inode list lock",
  },
  {
    order: [INODE_HASH, I_LOCK],
    source: { doc: 'fs/inode.c', section: 'Lock ordering (header comment)', line: 40 },
    says: "the inode hash lock is taken before an inode's i_lock",
  },
  // Documentation/filesystems/locking.rst: what the VFS and mm hold when they call a method that locks
  {
    order: [I_RWSEM, PAGE],
    source: { doc: LOCKING, section: 'address_space_operations, locking rules (write_begin)', line: 268 },
    says: '->write_begin is called with the inode lock held and locks the page',
  },
  {
    order: [INVALIDATE, PAGE],
    source: { doc: LOCKING, section: 'address_space_operations, locking rules (read_folio, readahead)', line: 268 },
    says: '->read_folio and ->readahead get locked pages with the invalidate lock held shared',
  },
  {
    order: [MMAP, INVALIDATE, PAGE],
    source: { doc: LOCKING, section: 'vm_operations_struct, ->fault', line: 655 },
    says: '->fault runs under mmap_lock and, when it must, takes the invalidate lock before returning a locked page',
  },
  {
    order: [MMAP, PAGE],
    source: { doc: LOCKING, section: 'vm_operations_struct, ->page_mkwrite', line: 672 },
    says: '->page_mkwrite runs under mmap_lock and returns with the page locked',
  },
  // fs/ext4/super.c, the comment after the declarations of the context ops
  {
    order: [MMAP, SB_WRITERS, INVALIDATE, JBD2_HANDLE, PAGE, 'struct ext4_inode_info::i_data_sem'],
    fs: 'fs/ext4',
    source: { doc: 'fs/ext4/super.c', section: 'Lock ordering: page fault path', line: 99 },
    says: 'a fault: mmap_lock, freeze protection, invalidate lock, a handle, the page lock, then i_data_sem',
  },
  {
    order: [SB_WRITERS, I_RWSEM, MMAP],
    fs: 'fs/ext4',
    source: { doc: 'fs/ext4/super.c', section: 'Lock ordering: buffered write and direct IO paths', line: 99 },
    says: 'writes take freeze protection, then the inode lock, and may fault (mmap_lock) under both',
  },
  {
    order: [SB_WRITERS, I_RWSEM, JBD2_HANDLE, PAGE, 'struct ext4_inode_info::i_data_sem'],
    fs: 'fs/ext4',
    source: { doc: 'fs/ext4/super.c', section: 'Lock ordering: buffered write path', line: 99 },
    says: 'a buffered write: the inode lock, a handle, the page lock, then i_data_sem',
  },
  {
    order: [SB_WRITERS, I_RWSEM, INVALIDATE, I_MMAP, PAGE],
    fs: 'fs/ext4',
    source: { doc: 'fs/ext4/super.c', section: 'Lock ordering: truncate', line: 99 },
    says: 'a truncate: the inode lock, the invalidate lock, i_mmap_rwsem, then the page lock',
  },
  {
    order: [I_RWSEM, INVALIDATE, JBD2_HANDLE, 'struct ext4_inode_info::i_data_sem'],
    fs: 'fs/ext4',
    source: { doc: 'fs/ext4/super.c', section: 'Lock ordering: truncate', line: 99 },
    says: 'a truncate starts its handle under the invalidate lock and takes i_data_sem inside it',
  },
  {
    order: [JBD2_HANDLE, PAGE, 'struct ext4_inode_info::i_data_sem'],
    fs: 'fs/ext4',
    source: { doc: 'fs/ext4/super.c', section: 'Lock ordering: writepages', line: 99 },
    says: 'writeback starts a handle, locks pages, then takes i_data_sem',
  },
  // fs/xfs/xfs_inode.c, the comment above xfs_ilock()
  {
    order: [I_RWSEM, INVALIDATE, PAGE, 'struct xfs_inode::i_lock'],
    fs: 'fs/xfs',
    source: { doc: 'fs/xfs/xfs_inode.c', section: 'Basic locking order (above xfs_ilock)', line: 163 },
    says: 'the IO lock (i_rwsem), then the mmap lock (invalidate lock), then pages, then the ILOCK',
  },
  {
    order: [I_RWSEM, PAGE, MMAP],
    fs: 'fs/xfs',
    source: { doc: 'fs/xfs/xfs_inode.c', section: 'mmap_lock locking order (above xfs_ilock)', line: 167 },
    says: 'read and write hold the inode lock and may fault with pages locked',
  },
  {
    order: [MMAP, INVALIDATE, PAGE],
    fs: 'fs/xfs',
    source: { doc: 'fs/xfs/xfs_inode.c', section: 'mmap_lock locking order (above xfs_ilock)', line: 167 },
    says: 'a fault holds mmap_lock and takes the invalidate lock, then pages',
  },
  // fs/xfs/xfs_dquot.c and xfs_buf.c, their header comments
  {
    order: ['struct xfs_inode::i_lock', 'struct xfs_quotainfo::qi_tree_lock', 'struct xfs_dquot::q_qlock'],
    fs: 'fs/xfs',
    source: { doc: 'fs/xfs/xfs_dquot.c', section: 'Lock order (header comment)', line: 29 },
    says: "the inode's ILOCK, then the quota tree lock, then a dquot's lock",
  },
  {
    order: ['struct xfs_dquot::q_qlock', 'struct xfs_dquot::q_flush'],
    fs: 'fs/xfs',
    source: { doc: 'fs/xfs/xfs_dquot.c', section: 'Lock order (header comment)', line: 29 },
    says: "a dquot's flush lock nests in its lock",
  },
  {
    order: ['struct xfs_buf::b_sema', 'struct xfs_buf::b_lock', 'struct list_lru_node::lock'],
    fs: 'fs/xfs',
    source: { doc: 'fs/xfs/xfs_buf.c', section: 'Locking orders (header comment)', line: 28 },
    says: "a buffer's semaphore, then its spinlock, then the LRU list lock",
  },
  // fs/btrfs: the lock nesting sections of volumes.c and extent-tree.c
  {
    order: ['mutex:uuid_mutex', 'struct btrfs_fs_devices::device_list_mutex', 'struct btrfs_fs_info::chunk_mutex'],
    fs: 'fs/btrfs',
    source: { doc: 'fs/btrfs/volumes.c', section: 'Lock nesting', line: 313 },
    says: 'the uuid mutex, then the device list mutex, then the chunk mutex',
  },
  {
    order: ['mutex:uuid_mutex', 'struct btrfs_fs_info::balance_mutex'],
    fs: 'fs/btrfs',
    source: { doc: 'fs/btrfs/volumes.c', section: 'Lock nesting', line: 313 },
    says: 'the balance mutex nests in the uuid mutex',
  },
  {
    order: ['struct btrfs_space_info::lock', 'struct btrfs_block_group::lock', 'struct btrfs_fs_info::treelog_bg_lock'],
    fs: 'fs/btrfs',
    source: { doc: 'fs/btrfs/extent-tree.c', section: 'Lock nesting (tree-log block group locking)', line: 3742 },
    says: "a space info's lock, then a block group's, then the tree-log block group lock",
  },
  // fs/f2fs/data.c, above f2fs_set_data_blkaddr()
  {
    order: [`${PAGE} (file data)`, `${PAGE} (mapping of struct f2fs_sb_info::node_inode)`],
    fs: 'fs/f2fs',
    source: { doc: 'fs/f2fs/data.c', section: 'Lock ordering for the change of data block address', line: 1121 },
    says: 'changing where a data block lives: the data page, then the node page',
  },
  // fs/ocfs2/journal.c, above ocfs2_extend_trans()
  {
    order: ['struct ocfs2_inode_info::ip_alloc_sem', 'struct ocfs2_journal::j_trans_barrier'],
    fs: 'fs/ocfs2',
    source: { doc: 'fs/ocfs2/journal.c', section: 'above ocfs2_extend_trans, WARNING', line: 425 },
    says: 'semaphores must be taken before the transaction starts (j_trans_barrier), or orders deadlock',
  },
  {
    order: ['struct ocfs2_inode_info::ip_xattr_sem', 'struct ocfs2_journal::j_trans_barrier'],
    fs: 'fs/ocfs2',
    source: { doc: 'fs/ocfs2/journal.c', section: 'above ocfs2_extend_trans, WARNING', line: 425 },
    says: 'the same for the xattr semaphore',
  },
];
