/**
 * CFG builder, kernel constructs: returns, statement expressions, guard()/scoped_guard(),
 * trylock/#ifdef facts, and half-typed code that must never throw.
 */
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Catalog, buildCfg } from '../../server/src/engine';
import type { FunctionIR } from '../../server/src/engine/ir';
import { getGrammar } from '../support/engine';
import { irOf, irsOf, opsOf, lockOps, reach, lineOf, nodesOnLine, totalUnmodelled } from '../support/cfg';

describe('cfg: returns', () => {
  test('each return statement is a return node, plus one for falling off a void function', async () => {
    const src = `
static int foo(struct foo *f)
{
	if (!f)
		return -EINVAL;
	spin_lock(&f->lock);
	if (f->dead) {
		spin_unlock(&f->lock);
		return -ESTALE;
	}
	spin_unlock(&f->lock);
	return 0;
}

static void bar(struct foo *f)
{
	if (!f)
		return;
	f->n++;
}`;
    const [foo, bar] = await irsOf(src);
    const fr = foo.nodes.filter((n) => n.kind === 'return');
    assert.equal(fr.length, 3);
    for (const r of fr)
      assert.deepEqual(
        r.succ.map((e) => e.to),
        [foo.exit],
        'a return must go to the exit',
      );
    const einval = fr.find((r) => r.line === lineOf(src, 'return -EINVAL'))!;
    assert.deepEqual(einval.ret, { k: 'const', text: '-EINVAL', error: true, truthy: true });
    const zero = fr.find((r) => r.line === lineOf(src, 'return 0'))!;
    assert.equal(zero.ret?.k, 'const');
    const br = bar.nodes.filter((n) => n.kind === 'return');
    assert.equal(br.length, 2, 'explicit return; plus the closing brace');
    assert.ok(br.every((r) => r.ret?.k === 'void'));
    // nothing after a return is reachable from it except the exit
    assert.deepEqual([...reach(foo, einval.id)].sort(), [einval.id, foo.exit].sort());
  });

  test('return of a trylock splits into a held and a not-held return', async () => {
    const ir = await irOf(`
static int foo_trylock(struct foo *f)
{
	return spin_trylock(&f->lock);
}`);
    const rets = ir.nodes.filter((n) => n.kind === 'return');
    assert.equal(rets.length, 2);
    assert.deepEqual(
      rets.map((r) => r.ret).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [
        { k: 'try', ok: false },
        { k: 'try', ok: true },
      ],
    );
  });

  test('BUG() ends the path: nothing follows it', async () => {
    const src = `
static void foo(struct foo *f)
{
	spin_lock(&f->lock);
	if (f->bad)
		BUG();
	spin_unlock(&f->lock);
}`;
    const ir = await irOf(src);
    const bug = opsOf(ir, 'noreturn');
    assert.equal(bug.length, 1);
    // the node holding BUG() has no edge forward into the unlock
    const rel = lockOps(ir, 'release', 'f->lock')[0].node;
    assert.ok(!bug[0].node.succ.some((e) => reach(ir, e.to).has(rel.id)), 'BUG() falls through to the unlock');
  });
});

describe('cfg: statement expressions', () => {
  test('a lock taken inside ({ ... }) is on the flow, before what follows', async () => {
    const src = `
static int foo(struct foo *f)
{
	int v;

	v = ({ spin_lock(&f->lock); f->val; });
	if (v < 0)
		return v;
	spin_unlock(&f->lock);
	return 0;
}`;
    const ir = await irOf(src);
    const acq = lockOps(ir, 'acquire', 'f->lock');
    assert.equal(acq.length, 1, 'the lock inside the statement expression was not seen');
    assert.equal(acq[0].node.line, lineOf(src, 'v = ({'));
    assert.ok(reach(ir, ir.entry).has(acq[0].node.id), 'acquire not reachable from entry');
    const rel = lockOps(ir, 'release', 'f->lock')[0].node;
    assert.ok(reach(ir, acq[0].node.id).has(rel.id));
    // every path to any return goes through the acquire
    const avoid = reach(ir, ir.entry, (n) => n.id === acq[0].node.id);
    assert.ok(!ir.nodes.some((n) => n.kind === 'return' && avoid.has(n.id)), 'a return is reachable without the lock');
  });

  test('a lock in a statement expression used in a condition is evaluated before the branch', async () => {
    const ir = await irOf(`
static void foo(struct foo *f)
{
	if (({ spin_lock(&f->lock); f->val; }) > 0)
		f->pos++;
	spin_unlock(&f->lock);
}`);
    const acq = lockOps(ir, 'acquire', 'f->lock');
    assert.equal(acq.length, 1);
    const avoid = reach(ir, ir.entry, (n) => n.id === acq[0].node.id);
    const rel = lockOps(ir, 'release', 'f->lock')[0].node;
    assert.ok(!avoid.has(rel.id), 'the unlock is reachable without passing the lock');
  });
});

describe('cfg: guard() and scoped_guard()', () => {
  test('guard() releases at the end of its scope and on a return inside it', async () => {
    const src = `
static int foo(struct foo *f, int v)
{
	guard(mutex)(&f->lock);

	if (v < 0)
		return -EINVAL;
	f->v = v;
	return 0;
}`;
    const ir = await irOf(src);
    assert.equal(lockOps(ir, 'acquire', 'f->lock').length, 1);
    const rets = ir.nodes.filter((n) => n.kind === 'return');
    assert.equal(rets.length, 2);
    for (const r of rets) {
      // the release happens at the return: in the return node itself or on its way to the exit
      const released = r.ops.some((o) => o.k === 'release' && o.lock.key === 'f->lock');
      assert.ok(released, `return at line ${r.line} does not release the guard`);
    }
  });

  test('a guard in an inner block is released at the end of that block, before later code', async () => {
    const src = `
static void foo(struct foo *f)
{
	if (f->users) {
		guard(spinlock)(&f->lock);
		f->users = 0;
	}
	f->done = 1;
}`;
    const ir = await irOf(src);
    const rel = lockOps(ir, 'release', 'f->lock');
    assert.equal(rel.length, 1);
    const acq = lockOps(ir, 'acquire', 'f->lock')[0].node;
    const after = nodesOnLine(ir, lineOf(src, 'f->done = 1'), 'stmt')[0];
    // from the acquire, f->done is reached only through the release
    assert.ok(!reach(ir, acq.id, (n) => n.id === rel[0].node.id).has(after.id), 'guard still held after its block');
  });

  test('scoped_guard() releases at the end of its body and on break out of it', async () => {
    const src = `
static int foo(struct foo *f, int tries)
{
	int i;

	for (i = 0; i < tries; i++) {
		scoped_guard(spinlock_irqsave, &f->lock) {
			if (f->ready)
				break;
			f->polls++;
		}
		cpu_relax();
	}
	return i;
}`;
    const ir = await irOf(src);
    const acq = lockOps(ir, 'acquire', 'f->lock');
    assert.equal(acq.length, 1);
    const rel = lockOps(ir, 'release', 'f->lock');
    assert.equal(rel.length, 2, 'one release at the end of the body, one on break');
    const brk = nodesOnLine(ir, lineOf(src, 'break;'), 'stmt')[0];
    assert.ok(
      brk.ops.some((o) => o.k === 'release'),
      'break does not release the scoped guard',
    );
    const ret = ir.nodes.find((n) => n.kind === 'return')!;
    assert.ok(
      !reach(ir, acq[0].node.id, (n) => rel.some((r) => r.node.id === n.id)).has(ret.id),
      'a path from the guard reaches the return without a release',
    );
  });
});

describe('cfg: trylock, #ifdef and correlated facts', () => {
  test('trylock assigned to a variable puts the acquire on one edge, with a fact on each', async () => {
    const ir = await irOf(`
static void foo(struct foo *f)
{
	int locked;

	locked = mutex_trylock(&f->lock);
	if (!locked)
		return;
	mutex_unlock(&f->lock);
}`);
    const edges = ir.nodes.flatMap((n) => n.succ).filter((e) => e.guard?.fact?.text === 'locked');
    const ok = edges.filter((e) => e.guard?.acquire);
    assert.equal(ok.length, 1);
    assert.equal(ok[0].guard!.fact!.value, true);
    assert.ok(edges.some((e) => !e.guard?.acquire && e.guard?.fact?.value === false));
    assert.ok(ir.assigned.has('locked'));
  });

  test('#ifdef arms carry a defined(X) fact, #ifndef the opposite', async () => {
    const ir = await irOf(`
static void foo(struct foo *f)
{
#ifdef CONFIG_FOO
	spin_lock(&f->lock);
#endif
	f->n++;
#ifndef CONFIG_FOO
	return;
#endif
}`);
    const facts = ir.nodes
      .flatMap((n) => n.succ)
      .map((e) => e.guard?.fact)
      .filter((x) => x?.text === 'defined(CONFIG_FOO)');
    assert.equal(facts.length, 4);
    assert.deepEqual(facts.map((x) => x!.value).sort(), [false, false, true, true]);
  });

  test('an #else arm is taken exactly when the #ifdef arm is not', async () => {
    const src = `
static void foo(struct foo *f)
{
#ifdef CONFIG_FOO
	spin_lock(&f->lock);
#else
	preempt_disable();
#endif
	f->n++;
}`;
    const ir = await irOf(src);
    const pre = opsOf(ir, 'acquire').find(({ op }) => op.k === 'acquire' && op.lock.key === 'preemption');
    assert.ok(pre, 'the #else arm was not built');
    const spin = lockOps(ir, 'acquire', 'f->lock')[0].node;
    const after = nodesOnLine(ir, lineOf(src, 'f->n++'), 'stmt')[0];
    // with neither arm's lock: must be impossible (one of the two arms always runs)
    const neither = reach(ir, ir.entry, (n) => n.id === spin.id || n.id === pre.node.id);
    assert.ok(!neither.has(after.id), 'a path skips both the #ifdef and the #else arm');
  });
});

describe('cfg: half-typed code', () => {
  const broken: Record<string, string> = {
    'missing ) in a condition': `
static int foo(struct foo *f)
{
	mutex_lock(&f->lock);
	if (f->n < 0 {
		mutex_unlock(&f->lock);
		return -EINVAL;
	}
	mutex_unlock(&f->lock);
	return 0;
}`,
    'unclosed brace': `
static int foo(struct foo *f)
{
	mutex_lock(&f->lock);
	if (f->n < 0) {
		f->n = 0;
	mutex_unlock(&f->lock);
	return 0;
`,
    'missing ) in the parameter list and an unbalanced brace': `
static int foo(struct foo *f, int *out
{
	mutex_lock(&f->lock);
	if (f->value < 0 {
		*out = 0;
	*out = f->value;
	mutex_unlock(&f->lock);
	return 0;
}`,
    'garbage tokens in the middle': `
static void foo(struct foo *f)
{
	spin_lock(&f->lock);
	f->n = ) + ;
	spin_unlock(&f->lock;
}`,
  };

  for (const [what, src] of Object.entries(broken)) {
    test(`${what}: never throws, and counts what it did not model`, async () => {
      const grammar = await getGrammar();
      const tree = grammar.parser.parse(src)!;
      const defs = tree.rootNode.descendantsOfType('function_definition').filter((d) => !!d);
      let irs: FunctionIR[] = [];
      assert.doesNotThrow(() => {
        irs = defs.map((d) =>
          buildCfg(d!, { catalog: new Catalog(), file: 'broken.c', callable: () => false, loopMacros: new Set() }),
        );
      });
      for (const ir of irs) {
        assert.ok(ir.hasParseErrors, 'parse errors not flagged');
        assert.ok(totalUnmodelled(ir) > 0, `nothing counted as unmodelled: ${JSON.stringify(ir.unmodelled)}`);
        // the graph stays well formed: every edge points at a node
        for (const n of ir.nodes) for (const e of n.succ) assert.ok(e.to >= 0 && e.to < ir.nodes.length);
      }
    });
  }

  test('an empty body and a body-less prototype do not throw', async () => {
    const irs = await irsOf('static void foo(void) { }\nvoid bar(int);\n');
    assert.equal(irs.length, 1);
    assert.equal(irs[0].nodes.filter((n) => n.kind === 'return').length, 1);
    assert.equal(totalUnmodelled(irs[0]), 0);
  });
});
