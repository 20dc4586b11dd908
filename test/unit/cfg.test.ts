/**
 * CFG builder, structurally: the awkward kernel constructs must become the right nodes, edges and
 * lock operations in the FunctionIR. These tests look at node kinds, edges and ops, never at
 * printed text, so a change in how the builder lays out nodes only fails them when the shape of
 * the flow is wrong.
 */
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Catalog, buildCfg } from '../../server/src/engine';
import type { CfgNode, FunctionIR, Op } from '../../server/src/engine/ir';
import { getGrammar } from '../support/engine';

/** Build the IR of the function called `name` (or the only/first one) in `text`. */
async function irOf(text: string, name?: string, loopMacros: string[] = []): Promise<FunctionIR> {
  const all = await irsOf(text, loopMacros);
  const ir = name ? all.find((f) => f.name === name) : all[0];
  assert.ok(ir, `no function ${name ?? ''} in snippet`);
  return ir;
}

async function irsOf(text: string, loopMacros: string[] = []): Promise<FunctionIR[]> {
  const grammar = await getGrammar();
  const tree = grammar.parser.parse(text);
  assert.ok(tree, 'parser returned no tree');
  const defs = tree.rootNode.descendantsOfType('function_definition').filter((d) => !!d);
  const sameFile = new Set<string>();
  return defs.map((d) => buildCfg(d!, { catalog: new Catalog(), file: 'snippet.c', sameFile, loopMacros: new Set(loopMacros) }));
}

const opsOf = (ir: FunctionIR, k: Op['k']): { node: CfgNode; op: Op }[] =>
  ir.nodes.flatMap((node) => node.ops.filter((op) => op.k === k).map((op) => ({ node, op })));

const lockOps = (ir: FunctionIR, k: 'acquire' | 'release', key: string) =>
  opsOf(ir, k).filter(({ op }) => 'lock' in op && op.lock.key === key);

const preds = (ir: FunctionIR, id: number): number[] =>
  ir.nodes.filter((n) => n.succ.some((e) => e.to === id)).map((n) => n.id);

/** Nodes reachable from `from` (inclusive), optionally never passing through `avoid`. */
function reach(ir: FunctionIR, from: number, avoid?: (n: CfgNode) => boolean): Set<number> {
  const seen = new Set<number>([from]);
  const work = [from];
  while (work.length) {
    const id = work.pop()!;
    for (const e of ir.nodes[id].succ) {
      if (seen.has(e.to) || avoid?.(ir.nodes[e.to])) continue;
      seen.add(e.to);
      work.push(e.to);
    }
  }
  return seen;
}

/** Back edges of a DFS from the entry: an edge to a node still on the DFS stack. */
function backEdges(ir: FunctionIR): [number, number][] {
  const state = new Uint8Array(ir.nodes.length); // 0 new, 1 on stack, 2 done
  const out: [number, number][] = [];
  const stack: [number, number][] = [[ir.entry, 0]];
  state[ir.entry] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1];
    const succ = ir.nodes[top[0]].succ;
    if (top[1] < succ.length) {
      const to = succ[top[1]++].to;
      if (state[to] === 1) out.push([top[0], to]);
      else if (state[to] === 0) { state[to] = 1; stack.push([to, 0]); }
    } else {
      state[top[0]] = 2;
      stack.pop();
    }
  }
  return out;
}

/** Is there a cycle through node `id`? */
const onCycle = (ir: FunctionIR, id: number): boolean => ir.nodes[id].succ.some((e) => reach(ir, e.to).has(id));

const lineOf = (text: string, needle: string): number => {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `"${needle}" not in snippet`);
  return i + 1;
};

const nodesOnLine = (ir: FunctionIR, line: number, kind?: CfgNode['kind']): CfgNode[] =>
  ir.nodes.filter((n) => n.line === line && (!kind || n.kind === kind));

const totalUnmodelled = (ir: FunctionIR): number => Object.values(ir.unmodelled).reduce((a, b) => a + b, 0);

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
    assert.deepEqual(gotoNode.succ.map((e) => e.to), [label.id], 'goto must jump straight to the label');
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
    assert.ok(target.ops.some((o) => o.k === 'assign' && o.name === 'i'), 'continue does not run i++');
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
    for (const r of fr) assert.deepEqual(r.succ.map((e) => e.to), [foo.exit], 'a return must go to the exit');
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
    assert.deepEqual(rets.map((r) => r.ret).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      [{ k: 'try', ok: false }, { k: 'try', ok: true }]);
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
    assert.ok(brk.ops.some((o) => o.k === 'release'), 'break does not release the scoped guard');
    const ret = ir.nodes.find((n) => n.kind === 'return')!;
    assert.ok(!reach(ir, acq[0].node.id, (n) => rel.some((r) => r.node.id === n.id)).has(ret.id),
      'a path from the guard reaches the return without a release');
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
    const facts = ir.nodes.flatMap((n) => n.succ).map((e) => e.guard?.fact).filter((x) => x?.text === 'defined(CONFIG_FOO)');
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
        irs = defs.map((d) => buildCfg(d!, { catalog: new Catalog(), file: 'broken.c', sameFile: new Set(), loopMacros: new Set() }));
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
