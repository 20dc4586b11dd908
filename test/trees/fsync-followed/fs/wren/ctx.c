// SPDX-License-Identifier: GPL-2.0
/*
 * A lock taken by a helper (through a helper of its own) and released by its caller, or held across a call
 * that requires it: balanced, and held where required. (test/unit/tree-pass.test.ts puts both into
 * a recursive cycle too large to be summarised in rounds, where the caller may be checked before the helper is
 * summarised (the second caller, entered after the helper); the whole-tree pass must find them balanced.)
 */
#include "wren.h"

static void wren_ctx_note(struct wren_ctx *c)
{
	lockdep_assert_held(&c->lock);
	c->n += 2;
}

/* Returns with the lock held, for its caller to release. */
void wren_ctx_bump(struct wren_ctx *c)
{
	wren_ctx_take(c);
	wren_ctx_note(c);
}

void wren_ctx_take(struct wren_ctx *c);

static void wren_ctx_lock(struct wren_ctx *c)
{
	mutex_lock(&c->lock);
}

void wren_ctx_use(struct wren_ctx *c)
{
	wren_ctx_take(c);
	c->n++;
	mutex_unlock(&c->lock);
}

static void wren_ctx_note(struct wren_ctx *c)
{
	lockdep_assert_held(&c->lock);
	c->n += 2;
}

/* Returns with the lock held, for its caller to release. */
void wren_ctx_bump(struct wren_ctx *c)
{
	wren_ctx_take(c);
	wren_ctx_note(c);
}

void wren_ctx_take(struct wren_ctx *c)
{
	if (c->n > 8)
		wren_ctx_flush(c);
	wren_ctx_lock(c);
}
