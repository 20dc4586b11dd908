/*
 * A call that closes a recursive cycle of more than 64 functions reaches a callee not summarised yet (it comes
 * later in the cycle's one pass). What the callee declares stands for it until then: rdecl_unlink is annotated
 * __releases(rdecl_lock), so rdecl_scan, checked before it, retakes a free lock (no recursive lock), and
 * rdecl_scan_bad, which unlocks rdecl_lock again after the call, is a double unlock.
 */
#include <linux/spinlock.h>

struct ring_node {
	struct ring_node *next;
	int seen;
};

static DEFINE_SPINLOCK(rdecl_lock);

static void rdecl_02(struct ring_node *n);
static void rdecl_03(struct ring_node *n);
static void rdecl_04(struct ring_node *n);
static void rdecl_05(struct ring_node *n);
static void rdecl_06(struct ring_node *n);
static void rdecl_07(struct ring_node *n);
static void rdecl_08(struct ring_node *n);
static void rdecl_09(struct ring_node *n);
static void rdecl_10(struct ring_node *n);
static void rdecl_11(struct ring_node *n);
static void rdecl_12(struct ring_node *n);
static void rdecl_13(struct ring_node *n);
static void rdecl_14(struct ring_node *n);
static void rdecl_15(struct ring_node *n);
static void rdecl_16(struct ring_node *n);
static void rdecl_17(struct ring_node *n);
static void rdecl_18(struct ring_node *n);
static void rdecl_19(struct ring_node *n);
static void rdecl_20(struct ring_node *n);
static void rdecl_21(struct ring_node *n);
static void rdecl_22(struct ring_node *n);
static void rdecl_23(struct ring_node *n);
static void rdecl_24(struct ring_node *n);
static void rdecl_25(struct ring_node *n);
static void rdecl_26(struct ring_node *n);
static void rdecl_27(struct ring_node *n);
static void rdecl_28(struct ring_node *n);
static void rdecl_29(struct ring_node *n);
static void rdecl_30(struct ring_node *n);
static void rdecl_31(struct ring_node *n);
static void rdecl_32(struct ring_node *n);
static void rdecl_33(struct ring_node *n);
static void rdecl_34(struct ring_node *n);
static void rdecl_35(struct ring_node *n);
static void rdecl_36(struct ring_node *n);
static void rdecl_37(struct ring_node *n);
static void rdecl_38(struct ring_node *n);
static void rdecl_39(struct ring_node *n);
static void rdecl_40(struct ring_node *n);
static void rdecl_41(struct ring_node *n);
static void rdecl_42(struct ring_node *n);
static void rdecl_43(struct ring_node *n);
static void rdecl_44(struct ring_node *n);
static void rdecl_45(struct ring_node *n);
static void rdecl_46(struct ring_node *n);
static void rdecl_47(struct ring_node *n);
static void rdecl_48(struct ring_node *n);
static void rdecl_49(struct ring_node *n);
static void rdecl_50(struct ring_node *n);
static void rdecl_51(struct ring_node *n);
static void rdecl_52(struct ring_node *n);
static void rdecl_53(struct ring_node *n);
static void rdecl_54(struct ring_node *n);
static void rdecl_55(struct ring_node *n);
static void rdecl_56(struct ring_node *n);
static void rdecl_57(struct ring_node *n);
static void rdecl_58(struct ring_node *n);
static void rdecl_59(struct ring_node *n);
static void rdecl_60(struct ring_node *n);
static void rdecl_61(struct ring_node *n);
static void rdecl_62(struct ring_node *n);
static void rdecl_63(struct ring_node *n);
static void rdecl_64(struct ring_node *n);
static void rdecl_65(struct ring_node *n);
static void rdecl_scan(struct ring_node *n);
static void rdecl_scan_bad(struct ring_node *n);

void rdecl_unlink(struct ring_node *n)
	__releases(rdecl_lock)
{
	n->seen = 0;
	spin_unlock(&rdecl_lock);
	if (n->next)
		rdecl_02(n->next);
}

static void rdecl_02(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_03(n->next);
}

static void rdecl_03(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_04(n->next);
}

static void rdecl_04(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_05(n->next);
}

static void rdecl_05(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_06(n->next);
}

static void rdecl_06(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_07(n->next);
}

static void rdecl_07(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_08(n->next);
}

static void rdecl_08(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_09(n->next);
}

static void rdecl_09(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_10(n->next);
}

static void rdecl_10(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_11(n->next);
}

static void rdecl_11(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_12(n->next);
}

static void rdecl_12(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_13(n->next);
}

static void rdecl_13(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_14(n->next);
}

static void rdecl_14(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_15(n->next);
}

static void rdecl_15(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_16(n->next);
}

static void rdecl_16(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_17(n->next);
}

static void rdecl_17(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_18(n->next);
}

static void rdecl_18(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_19(n->next);
}

static void rdecl_19(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_20(n->next);
}

static void rdecl_20(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_21(n->next);
}

static void rdecl_21(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_22(n->next);
}

static void rdecl_22(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_23(n->next);
}

static void rdecl_23(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_24(n->next);
}

static void rdecl_24(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_25(n->next);
}

static void rdecl_25(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_26(n->next);
}

static void rdecl_26(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_27(n->next);
}

static void rdecl_27(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_28(n->next);
}

static void rdecl_28(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_29(n->next);
}

static void rdecl_29(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_30(n->next);
}

static void rdecl_30(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_31(n->next);
}

static void rdecl_31(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_32(n->next);
}

static void rdecl_32(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_33(n->next);
}

static void rdecl_33(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_34(n->next);
}

static void rdecl_34(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_35(n->next);
}

static void rdecl_35(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_36(n->next);
}

static void rdecl_36(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_37(n->next);
}

static void rdecl_37(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_38(n->next);
}

static void rdecl_38(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_39(n->next);
}

static void rdecl_39(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_40(n->next);
}

static void rdecl_40(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_41(n->next);
}

static void rdecl_41(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_42(n->next);
}

static void rdecl_42(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_43(n->next);
}

static void rdecl_43(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_44(n->next);
}

static void rdecl_44(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_45(n->next);
}

static void rdecl_45(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_46(n->next);
}

static void rdecl_46(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_47(n->next);
}

static void rdecl_47(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_48(n->next);
}

static void rdecl_48(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_49(n->next);
}

static void rdecl_49(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_50(n->next);
}

static void rdecl_50(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_51(n->next);
}

static void rdecl_51(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_52(n->next);
}

static void rdecl_52(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_53(n->next);
}

static void rdecl_53(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_54(n->next);
}

static void rdecl_54(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_55(n->next);
}

static void rdecl_55(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_56(n->next);
}

static void rdecl_56(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_57(n->next);
}

static void rdecl_57(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_58(n->next);
}

static void rdecl_58(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_59(n->next);
}

static void rdecl_59(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_60(n->next);
}

static void rdecl_60(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_61(n->next);
}

static void rdecl_61(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_62(n->next);
}

static void rdecl_62(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_63(n->next);
}

static void rdecl_63(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_64(n->next);
}

static void rdecl_64(struct ring_node *n)
{
	n->seen++;
	if (n->next)
		rdecl_65(n->next);
}

static void rdecl_65(struct ring_node *n)
{
	n->seen++;
	rdecl_scan(n);
	rdecl_scan_bad(n);
}

static void rdecl_scan(struct ring_node *n)
{
	spin_lock(&rdecl_lock);
	if (n->seen) {
		spin_unlock(&rdecl_lock);
		return;
	}
	rdecl_unlink(n);
	spin_lock(&rdecl_lock);
	n->seen = 1;
	spin_unlock(&rdecl_lock);
}

static void rdecl_scan_bad(struct ring_node *n)
{
	spin_lock(&rdecl_lock);
	rdecl_unlink(n);
	spin_unlock(&rdecl_lock); /* expect: double-unlock */
}
