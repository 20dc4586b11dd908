/*
 * A recursive cycle of more than 64 functions is summarised in one pass, so a call can reach a callee of the
 * cycle not summarised yet. wrap_put is such a callee for wrap_scan: it does not unlock by itself, it calls
 * wrap_drop (also not summarised yet), whose body drops wrap_lock on every path. The release stands for both
 * until their summaries exist: wrap_scan retakes a free lock (no recursive lock) and wrap_scan_bad unlocks
 * wrap_lock once more after wrap_put dropped it (a double unlock). Negative twin: wrap_cycle calls wrap_drop and
 * takes the lock back, so it is still held when wrap_scan_cycle takes it again.
 */
#include <linux/spinlock.h>

struct wrap_node {
	struct wrap_node *next;
	int seen;
};

static DEFINE_SPINLOCK(wrap_lock);

static void wrap_02(struct wrap_node *n);
static void wrap_03(struct wrap_node *n);
static void wrap_04(struct wrap_node *n);
static void wrap_05(struct wrap_node *n);
static void wrap_06(struct wrap_node *n);
static void wrap_07(struct wrap_node *n);
static void wrap_08(struct wrap_node *n);
static void wrap_09(struct wrap_node *n);
static void wrap_10(struct wrap_node *n);
static void wrap_11(struct wrap_node *n);
static void wrap_12(struct wrap_node *n);
static void wrap_13(struct wrap_node *n);
static void wrap_14(struct wrap_node *n);
static void wrap_15(struct wrap_node *n);
static void wrap_16(struct wrap_node *n);
static void wrap_17(struct wrap_node *n);
static void wrap_18(struct wrap_node *n);
static void wrap_19(struct wrap_node *n);
static void wrap_20(struct wrap_node *n);
static void wrap_21(struct wrap_node *n);
static void wrap_22(struct wrap_node *n);
static void wrap_23(struct wrap_node *n);
static void wrap_24(struct wrap_node *n);
static void wrap_25(struct wrap_node *n);
static void wrap_26(struct wrap_node *n);
static void wrap_27(struct wrap_node *n);
static void wrap_28(struct wrap_node *n);
static void wrap_29(struct wrap_node *n);
static void wrap_30(struct wrap_node *n);
static void wrap_31(struct wrap_node *n);
static void wrap_32(struct wrap_node *n);
static void wrap_33(struct wrap_node *n);
static void wrap_34(struct wrap_node *n);
static void wrap_35(struct wrap_node *n);
static void wrap_36(struct wrap_node *n);
static void wrap_37(struct wrap_node *n);
static void wrap_38(struct wrap_node *n);
static void wrap_39(struct wrap_node *n);
static void wrap_40(struct wrap_node *n);
static void wrap_41(struct wrap_node *n);
static void wrap_42(struct wrap_node *n);
static void wrap_43(struct wrap_node *n);
static void wrap_44(struct wrap_node *n);
static void wrap_45(struct wrap_node *n);
static void wrap_46(struct wrap_node *n);
static void wrap_47(struct wrap_node *n);
static void wrap_48(struct wrap_node *n);
static void wrap_49(struct wrap_node *n);
static void wrap_50(struct wrap_node *n);
static void wrap_51(struct wrap_node *n);
static void wrap_52(struct wrap_node *n);
static void wrap_53(struct wrap_node *n);
static void wrap_54(struct wrap_node *n);
static void wrap_55(struct wrap_node *n);
static void wrap_56(struct wrap_node *n);
static void wrap_57(struct wrap_node *n);
static void wrap_58(struct wrap_node *n);
static void wrap_59(struct wrap_node *n);
static void wrap_60(struct wrap_node *n);
static void wrap_61(struct wrap_node *n);
static void wrap_62(struct wrap_node *n);
static void wrap_63(struct wrap_node *n);
static void wrap_64(struct wrap_node *n);
static void wrap_65(struct wrap_node *n);
static void wrap_drop(struct wrap_node *n);
static void wrap_put(struct wrap_node *n);
static void wrap_cycle(struct wrap_node *n);
static void wrap_scan(struct wrap_node *n);
static void wrap_scan_bad(struct wrap_node *n);
static void wrap_scan_cycle(struct wrap_node *n);

void wrap_head(struct wrap_node *n)
{
	spin_lock(&wrap_lock);
	wrap_put(n);
	wrap_scan(n);
	wrap_scan_bad(n);
	wrap_scan_cycle(n);
}

static void wrap_put(struct wrap_node *n)
{
	n->seen = 0;
	wrap_drop(n);
}

static void wrap_cycle(struct wrap_node *n)
{
	wrap_drop(n);
	spin_lock(&wrap_lock);
}

static void wrap_drop(struct wrap_node *n)
{
	spin_unlock(&wrap_lock);
	if (n->next)
		wrap_02(n->next);
}

static void wrap_02(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_03(n->next);
}

static void wrap_03(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_04(n->next);
}

static void wrap_04(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_05(n->next);
}

static void wrap_05(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_06(n->next);
}

static void wrap_06(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_07(n->next);
}

static void wrap_07(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_08(n->next);
}

static void wrap_08(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_09(n->next);
}

static void wrap_09(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_10(n->next);
}

static void wrap_10(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_11(n->next);
}

static void wrap_11(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_12(n->next);
}

static void wrap_12(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_13(n->next);
}

static void wrap_13(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_14(n->next);
}

static void wrap_14(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_15(n->next);
}

static void wrap_15(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_16(n->next);
}

static void wrap_16(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_17(n->next);
}

static void wrap_17(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_18(n->next);
}

static void wrap_18(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_19(n->next);
}

static void wrap_19(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_20(n->next);
}

static void wrap_20(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_21(n->next);
}

static void wrap_21(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_22(n->next);
}

static void wrap_22(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_23(n->next);
}

static void wrap_23(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_24(n->next);
}

static void wrap_24(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_25(n->next);
}

static void wrap_25(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_26(n->next);
}

static void wrap_26(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_27(n->next);
}

static void wrap_27(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_28(n->next);
}

static void wrap_28(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_29(n->next);
}

static void wrap_29(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_30(n->next);
}

static void wrap_30(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_31(n->next);
}

static void wrap_31(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_32(n->next);
}

static void wrap_32(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_33(n->next);
}

static void wrap_33(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_34(n->next);
}

static void wrap_34(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_35(n->next);
}

static void wrap_35(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_36(n->next);
}

static void wrap_36(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_37(n->next);
}

static void wrap_37(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_38(n->next);
}

static void wrap_38(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_39(n->next);
}

static void wrap_39(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_40(n->next);
}

static void wrap_40(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_41(n->next);
}

static void wrap_41(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_42(n->next);
}

static void wrap_42(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_43(n->next);
}

static void wrap_43(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_44(n->next);
}

static void wrap_44(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_45(n->next);
}

static void wrap_45(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_46(n->next);
}

static void wrap_46(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_47(n->next);
}

static void wrap_47(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_48(n->next);
}

static void wrap_48(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_49(n->next);
}

static void wrap_49(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_50(n->next);
}

static void wrap_50(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_51(n->next);
}

static void wrap_51(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_52(n->next);
}

static void wrap_52(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_53(n->next);
}

static void wrap_53(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_54(n->next);
}

static void wrap_54(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_55(n->next);
}

static void wrap_55(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_56(n->next);
}

static void wrap_56(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_57(n->next);
}

static void wrap_57(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_58(n->next);
}

static void wrap_58(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_59(n->next);
}

static void wrap_59(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_60(n->next);
}

static void wrap_60(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_61(n->next);
}

static void wrap_61(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_62(n->next);
}

static void wrap_62(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_63(n->next);
}

static void wrap_63(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_64(n->next);
}

static void wrap_64(struct wrap_node *n)
{
	n->seen++;
	if (n->next)
		wrap_65(n->next);
}

static void wrap_65(struct wrap_node *n)
{
	n->seen++;
	wrap_head(n);
}

static void wrap_scan(struct wrap_node *n)
{
	spin_lock(&wrap_lock);
	if (n->seen) {
		spin_unlock(&wrap_lock);
		return;
	}
	wrap_put(n);
	spin_lock(&wrap_lock);
	n->seen = 1;
	spin_unlock(&wrap_lock);
}

static void wrap_scan_bad(struct wrap_node *n)
{
	spin_lock(&wrap_lock);
	wrap_put(n);
	spin_unlock(&wrap_lock); /* expect: double-unlock */
}

static void wrap_scan_cycle(struct wrap_node *n)
{
	spin_lock(&wrap_lock);
	wrap_cycle(n);
	spin_lock(&wrap_lock); /* expect: recursive-lock */
	n->seen = 1;
	spin_unlock(&wrap_lock);
}
