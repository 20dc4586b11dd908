/*
 * A recursive cycle of more than 64 functions (the kernel has one of thousands, through iput, dput and the
 * writeback paths) is summarised in one pass, so a call can reach a callee of the cycle not summarised yet.
 * rord_put is such a callee for rord_scan, and its own body drops rord_lock on every path: that release stands
 * for it until its summary exists. rord_scan retakes a free lock (no recursive lock); rord_scan_bad unlocks
 * rord_lock once more after rord_put dropped it, a double unlock.
 */
#include <linux/spinlock.h>

struct ring_node {
	struct ring_node *next;
	int seen;
};

static DEFINE_SPINLOCK(rord_lock);

static void rord_02(struct ring_node *n);
static void rord_03(struct ring_node *n);
static void rord_04(struct ring_node *n);
static void rord_05(struct ring_node *n);
static void rord_06(struct ring_node *n);
static void rord_07(struct ring_node *n);
static void rord_08(struct ring_node *n);
static void rord_09(struct ring_node *n);
static void rord_10(struct ring_node *n);
static void rord_11(struct ring_node *n);
static void rord_12(struct ring_node *n);
static void rord_13(struct ring_node *n);
static void rord_14(struct ring_node *n);
static void rord_15(struct ring_node *n);
static void rord_16(struct ring_node *n);
static void rord_17(struct ring_node *n);
static void rord_18(struct ring_node *n);
static void rord_19(struct ring_node *n);
static void rord_20(struct ring_node *n);
static void rord_21(struct ring_node *n);
static void rord_22(struct ring_node *n);
static void rord_23(struct ring_node *n);
static void rord_24(struct ring_node *n);
static void rord_25(struct ring_node *n);
static void rord_26(struct ring_node *n);
static void rord_27(struct ring_node *n);
static void rord_28(struct ring_node *n);
static void rord_29(struct ring_node *n);
static void rord_30(struct ring_node *n);
static void rord_31(struct ring_node *n);
static void rord_32(struct ring_node *n);
static void rord_33(struct ring_node *n);
static void rord_34(struct ring_node *n);
static void rord_35(struct ring_node *n);
static void rord_36(struct ring_node *n);
static void rord_37(struct ring_node *n);
static void rord_38(struct ring_node *n);
static void rord_39(struct ring_node *n);
static void rord_40(struct ring_node *n);
static void rord_41(struct ring_node *n);
static void rord_42(struct ring_node *n);
static void rord_43(struct ring_node *n);
static void rord_44(struct ring_node *n);
static void rord_45(struct ring_node *n);
static void rord_46(struct ring_node *n);
static void rord_47(struct ring_node *n);
static void rord_48(struct ring_node *n);
static void rord_49(struct ring_node *n);
static void rord_50(struct ring_node *n);
static void rord_51(struct ring_node *n);
static void rord_52(struct ring_node *n);
static void rord_53(struct ring_node *n);
static void rord_54(struct ring_node *n);
static void rord_55(struct ring_node *n);
static void rord_56(struct ring_node *n);
static void rord_57(struct ring_node *n);
static void rord_58(struct ring_node *n);
static void rord_59(struct ring_node *n);
static void rord_60(struct ring_node *n);
static void rord_61(struct ring_node *n);
static void rord_62(struct ring_node *n);
static void rord_63(struct ring_node *n);
static void rord_64(struct ring_node *n);
static void rord_65(struct ring_node *n);
static void rord_put(struct ring_node *n);
static void rord_scan(struct ring_node *n);
static void rord_scan_bad(struct ring_node *n);

void rord_head(struct ring_node *n)
{
	spin_lock(&rord_lock);
	rord_put(n);
	rord_scan(n);
	rord_scan_bad(n);
}

static void rord_put(struct ring_node *n)
{
	n->seen = 0;
	spin_unlock(&rord_lock);
	if (n->next)
		rord_02(n->next);
}

static void rord_02(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_03(n->next);
}

static void rord_03(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_04(n->next);
}

static void rord_04(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_05(n->next);
}

static void rord_05(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_06(n->next);
}

static void rord_06(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_07(n->next);
}

static void rord_07(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_08(n->next);
}

static void rord_08(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_09(n->next);
}

static void rord_09(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_10(n->next);
}

static void rord_10(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_11(n->next);
}

static void rord_11(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_12(n->next);
}

static void rord_12(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_13(n->next);
}

static void rord_13(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_14(n->next);
}

static void rord_14(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_15(n->next);
}

static void rord_15(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_16(n->next);
}

static void rord_16(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_17(n->next);
}

static void rord_17(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_18(n->next);
}

static void rord_18(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_19(n->next);
}

static void rord_19(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_20(n->next);
}

static void rord_20(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_21(n->next);
}

static void rord_21(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_22(n->next);
}

static void rord_22(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_23(n->next);
}

static void rord_23(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_24(n->next);
}

static void rord_24(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_25(n->next);
}

static void rord_25(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_26(n->next);
}

static void rord_26(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_27(n->next);
}

static void rord_27(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_28(n->next);
}

static void rord_28(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_29(n->next);
}

static void rord_29(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_30(n->next);
}

static void rord_30(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_31(n->next);
}

static void rord_31(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_32(n->next);
}

static void rord_32(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_33(n->next);
}

static void rord_33(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_34(n->next);
}

static void rord_34(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_35(n->next);
}

static void rord_35(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_36(n->next);
}

static void rord_36(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_37(n->next);
}

static void rord_37(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_38(n->next);
}

static void rord_38(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_39(n->next);
}

static void rord_39(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_40(n->next);
}

static void rord_40(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_41(n->next);
}

static void rord_41(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_42(n->next);
}

static void rord_42(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_43(n->next);
}

static void rord_43(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_44(n->next);
}

static void rord_44(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_45(n->next);
}

static void rord_45(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_46(n->next);
}

static void rord_46(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_47(n->next);
}

static void rord_47(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_48(n->next);
}

static void rord_48(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_49(n->next);
}

static void rord_49(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_50(n->next);
}

static void rord_50(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_51(n->next);
}

static void rord_51(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_52(n->next);
}

static void rord_52(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_53(n->next);
}

static void rord_53(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_54(n->next);
}

static void rord_54(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_55(n->next);
}

static void rord_55(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_56(n->next);
}

static void rord_56(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_57(n->next);
}

static void rord_57(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_58(n->next);
}

static void rord_58(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_59(n->next);
}

static void rord_59(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_60(n->next);
}

static void rord_60(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_61(n->next);
}

static void rord_61(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_62(n->next);
}

static void rord_62(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_63(n->next);
}

static void rord_63(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_64(n->next);
}

static void rord_64(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rord_65(n->next);
}

static void rord_65(struct ring_node *n)
{
	n->seen++;
	rord_head(n);
}

static void rord_scan(struct ring_node *n)
{
	spin_lock(&rord_lock);
	if (n->seen) {
		spin_unlock(&rord_lock);
		return;
	}
	rord_put(n);
	spin_lock(&rord_lock);
	n->seen = 1;
	spin_unlock(&rord_lock);
}

static void rord_scan_bad(struct ring_node *n)
{
	spin_lock(&rord_lock);
	rord_put(n);
	spin_unlock(&rord_lock); /* expect: double-unlock */
}
