/*
 * A recursive cycle of more than 64 functions is summarised in one pass, so a call can reach a callee of the
 * cycle not summarised yet. xring_put is such a callee for xring_scan: it drops xring_lock itself, or hands it
 * to the node's flush method, which drops it (a method the tool cannot see). Until its summary exists, what
 * stands for it says that it changes xring_lock on some paths, so the caller forgets the lock instead of
 * keeping it held (no lock imbalance in xring_scan). Positive twin: xring_scan_list leaks its own list lock,
 * which xring_put never touches. A release under a test of a parameter stays one for each call to decide, as
 * the summary will say: xring_keep passes 0 to xring_release, which then keeps xring_lock held (a leak);
 * xring_drop passes 1, and the lock is released.
 */
#include <linux/spinlock.h>

struct xring_node;

struct xring_ops {
	void (*flush)(struct xring_node *n);
};

struct xring_node {
	struct xring_node *next;
	const struct xring_ops *ops;
	int seen;
};

static DEFINE_SPINLOCK(xring_lock);
static DEFINE_SPINLOCK(xring_list_lock);

static void xring_02(struct xring_node *n);
static void xring_03(struct xring_node *n);
static void xring_04(struct xring_node *n);
static void xring_05(struct xring_node *n);
static void xring_06(struct xring_node *n);
static void xring_07(struct xring_node *n);
static void xring_08(struct xring_node *n);
static void xring_09(struct xring_node *n);
static void xring_10(struct xring_node *n);
static void xring_11(struct xring_node *n);
static void xring_12(struct xring_node *n);
static void xring_13(struct xring_node *n);
static void xring_14(struct xring_node *n);
static void xring_15(struct xring_node *n);
static void xring_16(struct xring_node *n);
static void xring_17(struct xring_node *n);
static void xring_18(struct xring_node *n);
static void xring_19(struct xring_node *n);
static void xring_20(struct xring_node *n);
static void xring_21(struct xring_node *n);
static void xring_22(struct xring_node *n);
static void xring_23(struct xring_node *n);
static void xring_24(struct xring_node *n);
static void xring_25(struct xring_node *n);
static void xring_26(struct xring_node *n);
static void xring_27(struct xring_node *n);
static void xring_28(struct xring_node *n);
static void xring_29(struct xring_node *n);
static void xring_30(struct xring_node *n);
static void xring_31(struct xring_node *n);
static void xring_32(struct xring_node *n);
static void xring_33(struct xring_node *n);
static void xring_34(struct xring_node *n);
static void xring_35(struct xring_node *n);
static void xring_36(struct xring_node *n);
static void xring_37(struct xring_node *n);
static void xring_38(struct xring_node *n);
static void xring_39(struct xring_node *n);
static void xring_40(struct xring_node *n);
static void xring_41(struct xring_node *n);
static void xring_42(struct xring_node *n);
static void xring_43(struct xring_node *n);
static void xring_44(struct xring_node *n);
static void xring_45(struct xring_node *n);
static void xring_46(struct xring_node *n);
static void xring_47(struct xring_node *n);
static void xring_48(struct xring_node *n);
static void xring_49(struct xring_node *n);
static void xring_50(struct xring_node *n);
static void xring_51(struct xring_node *n);
static void xring_52(struct xring_node *n);
static void xring_53(struct xring_node *n);
static void xring_54(struct xring_node *n);
static void xring_55(struct xring_node *n);
static void xring_56(struct xring_node *n);
static void xring_57(struct xring_node *n);
static void xring_58(struct xring_node *n);
static void xring_59(struct xring_node *n);
static void xring_60(struct xring_node *n);
static void xring_61(struct xring_node *n);
static void xring_62(struct xring_node *n);
static void xring_63(struct xring_node *n);
static void xring_64(struct xring_node *n);
static void xring_65(struct xring_node *n);
static void xring_put(struct xring_node *n);
static void xring_scan(struct xring_node *n);
static void xring_scan_list(struct xring_node *n);
static void xring_release(struct xring_node *n, int unlock);
static void xring_keep(struct xring_node *n);
static void xring_drop(struct xring_node *n);

void xring_head(struct xring_node *n)
{
	spin_lock(&xring_lock);
	xring_put(n);
	xring_scan(n);
	xring_scan_list(n);
	xring_drop(n);
	xring_keep(n);
}

static void xring_put(struct xring_node *n)
{
	if (n->ops)
		n->ops->flush(n);
	else
		spin_unlock(&xring_lock);
	if (n->next)
		xring_02(n->next);
}

static void xring_release(struct xring_node *n, int unlock)
{
	if (unlock)
		spin_unlock(&xring_lock);
	if (n->next)
		xring_02(n->next);
}

static void xring_02(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_03(n->next);
}

static void xring_03(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_04(n->next);
}

static void xring_04(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_05(n->next);
}

static void xring_05(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_06(n->next);
}

static void xring_06(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_07(n->next);
}

static void xring_07(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_08(n->next);
}

static void xring_08(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_09(n->next);
}

static void xring_09(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_10(n->next);
}

static void xring_10(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_11(n->next);
}

static void xring_11(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_12(n->next);
}

static void xring_12(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_13(n->next);
}

static void xring_13(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_14(n->next);
}

static void xring_14(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_15(n->next);
}

static void xring_15(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_16(n->next);
}

static void xring_16(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_17(n->next);
}

static void xring_17(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_18(n->next);
}

static void xring_18(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_19(n->next);
}

static void xring_19(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_20(n->next);
}

static void xring_20(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_21(n->next);
}

static void xring_21(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_22(n->next);
}

static void xring_22(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_23(n->next);
}

static void xring_23(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_24(n->next);
}

static void xring_24(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_25(n->next);
}

static void xring_25(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_26(n->next);
}

static void xring_26(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_27(n->next);
}

static void xring_27(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_28(n->next);
}

static void xring_28(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_29(n->next);
}

static void xring_29(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_30(n->next);
}

static void xring_30(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_31(n->next);
}

static void xring_31(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_32(n->next);
}

static void xring_32(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_33(n->next);
}

static void xring_33(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_34(n->next);
}

static void xring_34(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_35(n->next);
}

static void xring_35(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_36(n->next);
}

static void xring_36(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_37(n->next);
}

static void xring_37(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_38(n->next);
}

static void xring_38(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_39(n->next);
}

static void xring_39(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_40(n->next);
}

static void xring_40(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_41(n->next);
}

static void xring_41(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_42(n->next);
}

static void xring_42(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_43(n->next);
}

static void xring_43(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_44(n->next);
}

static void xring_44(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_45(n->next);
}

static void xring_45(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_46(n->next);
}

static void xring_46(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_47(n->next);
}

static void xring_47(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_48(n->next);
}

static void xring_48(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_49(n->next);
}

static void xring_49(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_50(n->next);
}

static void xring_50(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_51(n->next);
}

static void xring_51(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_52(n->next);
}

static void xring_52(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_53(n->next);
}

static void xring_53(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_54(n->next);
}

static void xring_54(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_55(n->next);
}

static void xring_55(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_56(n->next);
}

static void xring_56(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_57(n->next);
}

static void xring_57(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_58(n->next);
}

static void xring_58(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_59(n->next);
}

static void xring_59(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_60(n->next);
}

static void xring_60(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_61(n->next);
}

static void xring_61(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_62(n->next);
}

static void xring_62(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_63(n->next);
}

static void xring_63(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_64(n->next);
}

static void xring_64(struct xring_node *n)
{
	n->seen++;
	if (n->next)
		xring_65(n->next);
}

static void xring_65(struct xring_node *n)
{
	n->seen++;
	xring_head(n);
}

static void xring_scan(struct xring_node *n)
{
	spin_lock(&xring_lock);
	if (!n->next) {
		spin_unlock(&xring_lock);
		return;
	}
	n->seen = 1;
	xring_put(n);
}

static void xring_scan_list(struct xring_node *n)
{
	spin_lock(&xring_list_lock);
	if (!n->next) {
		spin_unlock(&xring_list_lock);
		return;
	}
	n->seen = 1;
	xring_put(n);
} /* expect: lock-imbalance */

static void xring_drop(struct xring_node *n)
{
	spin_lock(&xring_lock);
	if (!n->next) {
		spin_unlock(&xring_lock);
		return;
	}
	n->seen = 1;
	xring_release(n, 1);
}

static void xring_keep(struct xring_node *n)
{
	spin_lock(&xring_lock);
	if (!n->next) {
		spin_unlock(&xring_lock);
		return;
	}
	n->seen = 1;
	xring_release(n, 0);
} /* expect: lock-imbalance */
