/**
 * CFG builder, control flow: goto and labels, loops (C and macro loops), switch fall-through.
 */
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { irOf, lockOps, preds, reach, backEdges, onCycle, lineOf, nodesOnLine } from '../support/cfg';

describe('cfg: goto and labels', () => {
  const src = `
static int foo(struct foo *f)
{
	int err;

	mutex_lock(&f->lock);
	err = foo_check(f);
	if (err)
		goto out_unlock;
	err = foo_do(f);
out_unlock:
	mutex_unlock(&f->lock);
	return err;
}`;

  test('a goto has an edge to its label node, which leads to the release', async () => {
    const ir = await irOf(src);
    const gotoNode = ir.nodes.find((n) => n.note === 'goto out_unlock');
    const label = ir.nodes.find((n) => n.note === 'label out_unlock');
    assert.ok(gotoNode, 'no goto node');
    assert.ok(label, 'no label node');
    assert.equal(gotoNode.line, lineOf(src, 'goto out_unlock'));
    assert.equal(label.line, lineOf(src, 'out_unlock:'));
    assert.deepEqual(
      gotoNode.succ.map((e) => e.to),
      [label.id],
      'goto must jump straight to the label',
    );
    const release = lockOps(ir, 'release', 'f->lock');
    assert.equal(release.length, 1);
    assert.ok(reach(ir, label.id).has(release[0].node.id), 'label does not reach the unlock');
    // the fall-through from `err = foo_do(f)` also enters the label
    assert.ok(preds(ir, label.id).length >= 2, 'label should be reached by the goto and by fall-through');
  });

  test('the goto path skips the statement between the goto and the label', async () => {
    const ir = await irOf(src);
    const gotoNode = ir.nodes.find((n) => n.note === 'goto out_unlock')!;
    const skipped = nodesOnLine(ir, lineOf(src, 'err = foo_do(f)'), 'stmt');
    assert.ok(skipped.length > 0);
    const fromGoto = reach(ir, gotoNode.id);
    for (const n of skipped) assert.ok(!fromGoto.has(n.id), 'goto path reaches the skipped statement');
  });

  test('a backward goto makes a cycle', async () => {
    const ir = await irOf(`
static void foo(struct foo *f)
{
again:
	spin_lock(&f->lock);
	if (!spin_trylock(&f->other)) {
		spin_unlock(&f->lock);
		goto again;
	}
	spin_unlock(&f->other);
	spin_unlock(&f->lock);
}`);
    const label = ir.nodes.find((n) => n.note === 'label again')!;
    assert.ok(label);
    assert.ok(onCycle(ir, label.id), 'backward goto does not loop back to its label');
    // the trylock's success edge carries the acquire
    const tryEdges = ir.nodes.flatMap((n) => n.succ).filter((e) => e.guard?.acquire);
    assert.equal(tryEdges.length, 1);
    assert.equal(tryEdges[0].guard!.acquire!.lock.key, 'f->other');
  });
});

describe('cfg: loops', () => {
  test('do { } while (0) has no back edge', async () => {
    const ir = await irOf(`
static void foo(struct foo *f)
{
	do {
		spin_lock(&f->lock);
		f->n++;
		spin_unlock(&f->lock);
	} while (0);
}`);
    assert.deepEqual(backEdges(ir), []);
    assert.equal(lockOps(ir, 'acquire', 'f->lock').length, 1);
    const acq = lockOps(ir, 'acquire', 'f->lock')[0].node;
    assert.ok(!onCycle(ir, acq.id));
    assert.ok(reach(ir, ir.entry).has(ir.exit), 'exit unreachable');
  });

  test('do { } while (cond) does have a back edge through the body', async () => {
    const ir = await irOf(`
static void foo(struct foo *f)
{
	do {
		spin_lock(&f->lock);
		f->n++;
		spin_unlock(&f->lock);
	} while (f->n < 10);
}`);
    assert.ok(backEdges(ir).length >= 1);
    assert.ok(onCycle(ir, lockOps(ir, 'acquire', 'f->lock')[0].node.id));
  });

  test('list_for_each_entry(...) { } becomes a loop around its body', async () => {
    const src = `
static void foo(struct foo_head *h)
{
	struct foo *f;

	list_for_each_entry(f, &h->list, node) {
		spin_lock(&f->lock);
		f->n++;
		spin_unlock(&f->lock);
	}
	h->done = 1;
}`;
    const ir = await irOf(src);
    assert.ok(backEdges(ir).length >= 1, 'no back edge');
    const acq = lockOps(ir, 'acquire', 'f->lock');
    assert.equal(acq.length, 1);
    assert.ok(onCycle(ir, acq[0].node.id), 'body is not on the loop');
    // the loop can also be skipped: a path from entry to the statement after it avoiding the body
    const after = nodesOnLine(ir, lineOf(src, 'h->done = 1'), 'stmt')[0];
    assert.ok(after);
    assert.ok(reach(ir, ir.entry, (n) => n.id === acq[0].node.id).has(after.id), 'empty list case missing');
    // the macro's first argument is the loop variable
    assert.ok(ir.assigned.has('f'));
  });

  test('a loop macro named in loopMacros is a loop too; an unknown block macro is not silently dropped', async () => {
    const src = `
static void foo(struct foo_space *sp)
{
	struct foo_chunk *c;

	foo_walk_chunks(c, sp) {
		spin_lock(&c->lock);
		spin_unlock(&c->lock);
	}
}`;
    const asLoop = await irOf(src, 'foo', ['foo_walk_chunks']);
    assert.ok(onCycle(asLoop, lockOps(asLoop, 'acquire', 'c->lock')[0].node.id));
    const unknown = await irOf(src, 'foo');
    assert.ok((unknown.unmodelled['macro-block:foo_walk_chunks'] ?? 0) >= 1, JSON.stringify(unknown.unmodelled));
  });

  test('break goes to the node after the loop, continue to the loop head', async () => {
    const src = `
static int foo(struct foo *f)
{
	int n = 0;

	while (f->more) {
		if (f->stop)
			break;
		if (f->skip)
			continue;
		n++;
	}
	return n;
}`;
    const ir = await irOf(src);
    const brk = nodesOnLine(ir, lineOf(src, 'break;'), 'stmt')[0];
    const cont = nodesOnLine(ir, lineOf(src, 'continue;'), 'stmt')[0];
    assert.ok(brk && cont);
    assert.equal(brk.succ.length, 1);
    assert.equal(cont.succ.length, 1);
    const brkTarget = ir.nodes[brk.succ[0].to];
    const contTarget = ir.nodes[cont.succ[0].to];
    // break: the join after the loop, from which the return is reached without re-entering the loop
    assert.equal(brkTarget.kind, 'join');
    assert.equal(brkTarget.line, lineOf(src, 'return n;') - 1, 'break target is not the end of the loop');
    assert.ok(!onCycle(ir, brkTarget.id));
    // continue: the loop head, which is on the cycle and is where the loop starts
    assert.equal(contTarget.line, lineOf(src, 'while (f->more)'));
    assert.ok(onCycle(ir, contTarget.id), 'continue target is not on the loop');
    // and the n++ statement is skipped by the continue
    const inc = nodesOnLine(ir, lineOf(src, 'n++;'), 'stmt')[0];
    assert.ok(!reach(ir, cont.id, (n) => n.id === contTarget.id).has(inc.id));
  });

  test('continue in a for loop goes to the update expression', async () => {
    const src = `
static void foo(struct foo *f)
{
	int i;

	for (i = 0; i < f->n; i++) {
		if (f->skip[i])
			continue;
		f->sum += i;
	}
}`;
    const ir = await irOf(src);
    const cont = nodesOnLine(ir, lineOf(src, 'continue;'), 'stmt')[0];
    const target = ir.nodes[cont.succ[0].to];
    assert.ok(
      target.ops.some((o) => o.k === 'assign' && o.name === 'i'),
      'continue does not run i++',
    );
  });
});

describe('cfg: switch', () => {
  const src = `
static int foo(struct foo *f, int cmd)
{
	int ret = 0;

	switch (cmd) {
	case 1:
		mutex_lock(&f->lock);
		f->a++;
		fallthrough;
	case 2:
		f->b++;
		break;
	case 3:
		ret = -EINVAL;
		break;
	}
	return ret;
}`;

  test('fall-through links the end of one case body to the next case', async () => {
    const ir = await irOf(src);
    const case2 = nodesOnLine(ir, lineOf(src, 'case 2:'), 'join')[0];
    const case3 = nodesOnLine(ir, lineOf(src, 'case 3:'), 'join')[0];
    assert.ok(case2 && case3, 'case entry nodes missing');
    const acq = lockOps(ir, 'acquire', 'f->lock')[0].node;
    // case 1's body reaches case 2's entry without going back through the switch head
    assert.ok(reach(ir, acq.id).has(case2.id), 'no fall-through from case 1 into case 2');
    assert.ok(preds(ir, case2.id).length === 2, 'case 2 should be entered from the head and by fall-through');
    // case 2 ends in break: it does not fall into case 3
    assert.equal(preds(ir, case3.id).length, 1, 'break should stop fall-through into case 3');
  });

  test('a switch without default can skip every case', async () => {
    const ir = await irOf(src);
    const acq = lockOps(ir, 'acquire', 'f->lock')[0].node;
    const ret = ir.nodes.find((n) => n.kind === 'return')!;
    assert.ok(reach(ir, ir.entry, (n) => n.id === acq.id).has(ret.id));
  });
});
