/** C snippets shared by the CLI and LSP robustness tests. */

/** A complete function leaking a mutex on its error return (reported on the `return -ENOMEM;` line). */
export const LEAKY = `static int widget_grow(struct widget *w, size_t n)
{
	void *buf;

	mutex_lock(&w->resize_lock);
	buf = krealloc(w->buf, n, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	w->buf = buf;
	mutex_unlock(&w->resize_lock);
	return 0;
}
`;

/** One mutex leaked on an early return (line 5, `return -EIO;`): a lock-imbalance, nothing else. */
export const FOO_FLUSH = `static int foo_flush(struct foo *f)
{
	mutex_lock(&f->lock);
	if (f->dead)
		return -EIO;
	mutex_unlock(&f->lock);
	return 0;
}
`;
