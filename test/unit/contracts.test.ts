/**
 * Inferred lock contracts written out as kernel annotations (engine/contracts): every fixture under
 * test/trees/contracts/fixtures/ says on the line before each definition what is added (`contract: ...`, or
 * `contract: none`) and which locks are left out (`contract-skip: LOCK WHY`); the insertions themselves are
 * checked as text, and applying them makes a file that needs nothing more and still has no findings.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { type FileResult } from '../../server/src/engine';
import {
  type ContractInput,
  type FunctionContract,
  applyInsertions,
  fileContracts,
  findDefinition,
} from '../../server/src/engine/contracts';
import { inferContract, keyIn } from '../../server/src/engine/contracts/infer';
import { contractActions } from '../../server/src/lsp/contract-actions';
import { analyse, repoRoot, walkFiles } from '../support/engine';

const dir = path.join(repoRoot(), 'test', 'trees', 'contracts', 'fixtures');

/** What the analysis of a file gives the contracts stage. */
export function inputsOf(r: FileResult): ContractInput[] {
  return r.functions.map((f) => ({
    name: f.name,
    line: f.line,
    endLine: f.endLine,
    summary: r.summaries?.get(f.name),
    hasParseErrors: f.hasParseErrors,
  }));
}

async function contractsOf(text: string, file: string): Promise<FunctionContract[]> {
  const r = await analyse(text, file);
  assert.equal(r.error, undefined);
  return fileContracts(text, inputsOf(r));
}

interface Expected {
  name: string;
  added: string[];
  skips: string[];
}

/** The `contract:` / `contract-skip:` comments above each definition, by the function defined after them. */
function expectationsOf(text: string): Expected[] {
  const lines = text.split('\n');
  const out: Expected[] = [];
  let cur: Expected | undefined;
  for (const l of lines) {
    const m = /\/\*\s*contract(-skip)?:\s*(.*?)\s*\*\//.exec(l);
    if (m) {
      cur ??= { name: '', added: [], skips: [] };
      if (m[1]) cur.skips.push(m[2]);
      else if (m[2] !== 'none') cur.added.push(...(m[2].match(/\w+\([^;]*?\)\)?;?/g) ?? []));
      continue;
    }
    const def = /^(?:static\s+)?(?:\w+\s+)+\**(\w+)\(/.exec(l);
    if (cur && def) {
      cur.name = def[1];
      out.push(cur);
      cur = undefined;
    }
  }
  return out;
}

describe('contracts: fixtures', () => {
  for (const file of walkFiles(dir, /\.c$/)) {
    const rel = path.relative(dir, file);
    test(rel, async () => {
      const text = fs.readFileSync(file, 'utf8');
      const got = await contractsOf(text, rel);
      const expected = expectationsOf(text);
      assert.ok(expected.length >= 5, `only ${expected.length} expectations in ${rel}`);
      // every function that gets something is marked
      for (const c of got)
        if (c.edits.length)
          assert.ok(
            expected.some((e) => e.name === c.name),
            `${rel}: ${c.name}() has no marker`,
          );
      for (const e of expected) {
        const c = got.find((g) => g.name === e.name);
        const added = c ? [...c.annotations, ...c.assertions] : [];
        assert.deepEqual(added.sort(), [...e.added].sort(), `${rel}: ${e.name}() (skipped: ${c?.skipped.join('; ')})`);
        for (const s of e.skips)
          assert.ok(
            c?.skipped.some((x) => x.includes(s)),
            `${rel}: ${e.name}() should skip "${s}"; skipped: ${JSON.stringify(c?.skipped)}`,
          );
      }
      // applied, the contracts are stated: nothing more to add, and no finding appears
      const after = applyInsertions(
        text,
        got.flatMap((c) => c.edits),
      );
      const again = await contractsOf(after, rel);
      assert.deepEqual(
        again.filter((c) => c.edits.length).map((c) => c.name),
        [],
        'a second run adds more',
      );
      const r = await analyse(after, rel);
      assert.deepEqual(
        r.findings.map((f) => `${f.line}: ${f.kind}`),
        [],
      );
    });
  }
});

describe('contracts: the text inserted', () => {
  test('kernel style: the annotation after the parameter list, the assertion after the declarations', async () => {
    const text = fs.readFileSync(path.join(dir, 'basic.c'), 'utf8');
    const after = applyInsertions(
      text,
      (await contractsOf(text, 'basic.c')).flatMap((c) => c.edits),
    );
    assert.ok(
      after.includes(
        'static void foo_bump(struct foo_dev *f) __must_hold(&f->lock)\n{\n' +
          '\tlockdep_assert_held(&f->lock);\n\n\tf->count++;\n',
      ),
      after,
    );
    assert.ok(
      after.includes(
        'static void foo_remap(struct foo_dev *f) __must_hold(&f->map_sem)\n{\n\tint i;\n\n' +
          '\tlockdep_assert_held_write(&f->map_sem);\n\n\tfor (i = 0;',
      ),
      after,
    );
    assert.ok(after.includes('static void foo_list_drop(void) __releases(&foo_list_lock)\n{\n'), after);
  });

  test('a long header: the annotation on its own line, a tab in; declarations without a blank line after', async () => {
    const text = `struct foo_dev {
	struct mutex lock;
	int count;
};

static void foo_needs(struct foo_dev *f)
{
	lockdep_assert_held(&f->lock);
}

static void foo_with_a_rather_long_name_indeed(struct foo_dev *foo_device, unsigned int how_many)
{
	int i = 0;
	foo_needs(foo_device);
	foo_device->count = i + how_many;
}
`;
    const got = await contractsOf(text, 'long.c');
    const after = applyInsertions(
      text,
      got.flatMap((c) => c.edits),
    );
    assert.ok(
      after.includes(
        'unsigned int how_many)\n\t__must_hold(&foo_device->lock)\n{\n\tint i = 0;\n\n' +
          '\tlockdep_assert_held(&foo_device->lock);\n\n\tfoo_needs(foo_device);\n',
      ),
      after,
    );
  });

  test('the definition scanner: parameters, a function-pointer parameter, the first statement', () => {
    const text = 'int foo(struct a *x, void (*cb)(int), int n __maybe_unused)\n{\n\tint y;\n\n\treturn n;\n}\n';
    const d = findDefinition(text, 'foo', 0, 5);
    assert.ok(typeof d !== 'string', String(d));
    assert.deepEqual(d.params, ['x', 'cb', 'n']);
    assert.deepEqual(d.close, { line: 0, character: 58 });
    assert.deepEqual(d.firstStatement, { line: 4, character: 1 });
    assert.equal(findDefinition('SYSCALL_DEFINE1(foo, int, x)\n{\n}\n', 'foo', 0, 2).toString().includes('name'), true);
    // an upper-case macro that declares is a declaration; a comment above the first statement stays with it
    const macro = 'void foo(struct a *x)\n{\n\tFOO_STATE(st, x);\n\tint y;\n\n\t/*\n\t * why\n\t */\n\ty = 1;\n}\n';
    const m = findDefinition(macro, 'foo', 0, 9);
    assert.ok(typeof m !== 'string', String(m));
    assert.deepEqual(m.firstStatement, { line: 5, character: 0 });
  });
});

describe("contracts: naming a lock in the caller's terms", () => {
  const body = '{\n\tstruct foo_dev *d = foo_lookup(id);\n\tstatic int n;\n\n\tif (x)\n\t\tf = f->next;\n}';
  test('parameters, accessors on them and globals are written', () => {
    assert.deepEqual(keyIn('{0}->lock', ['g', 'x'], body), { key: 'g->lock' });
    assert.deepEqual(keyIn('FOO_I(file_inode({0}))->i_lock', ['file'], body), {
      key: 'FOO_I(file_inode(file))->i_lock',
    });
    assert.deepEqual(keyIn('foo_list_lock', ['g'], body), { key: 'foo_list_lock' });
    assert.deepEqual(keyIn('*{0}', ['m'], body), { key: '*m' });
  });
  test('a local, a reassigned parameter, the returned object, a class are not', () => {
    assert.deepEqual(keyIn('d->lock', ['id'], body), { reason: 'names the local d' });
    assert.deepEqual(keyIn('FOO_I(d)->lock', ['id'], body), { reason: 'names the local d' });
    assert.deepEqual(keyIn('n', ['id'], body), { reason: 'names the local n' });
    assert.deepEqual(keyIn('{0}->lock', ['f', 'x'], body), { reason: 'names the parameter f, which the body assigns' });
    assert.match(String(Object.values(keyIn('{ret}->lock', ['f'], body))[0]), /object it returns/);
    assert.match(String(Object.values(keyIn('{2}->lock', ['f'], body))[0]), /parameter the definition does not show/);
    assert.match(String(Object.values(keyIn('{0}->pages[i]', ['f'], body))[0]), /not a plain lock expression/);
    // a callee's local leaking through an accessor's second argument, NULL, RCU, the address of a call's result
    assert.deepEqual(keyIn('pmd_lockptr({0}->mm,pmdp)', ['g'], body), {
      reason: 'names pmdp, which is not a parameter',
    });
    assert.deepEqual(keyIn('*grp_lock_ptr(file_inode({0})->i_sb,group)', ['g'], body), {
      reason: 'names group, which is not a parameter',
    });
    assert.deepEqual(keyIn('NULL->lock', ['f'], body), { reason: 'names NULL, not a lock object' });
    assert.deepEqual(keyIn('RCU', ['f'], body), { reason: 'names RCU, not a lock object' });
    assert.deepEqual(keyIn('foo_lock_ptr({0})', ['g'], body), { reason: 'foo_lock_ptr(g) is not an lvalue' });
    assert.deepEqual(keyIn('*foo_lock_ptr({0},{1})', ['g', 'h'], body), { key: '*foo_lock_ptr(g,h)' });
  });
});

test("contracts: a token of a callee's annotation (`__acquires(bitlock)`) is no lock to write", () => {
  const ref = { key: 'bitlock', display: '&bitlock', class: null, kind: 'other' as const, recursive: false };
  const sum = {
    name: 'foo_scan',
    acquires: [],
    deferred: [],
    forbidden: [],
    effects: [],
    conditional: [],
    requires: [{ template: 'bitlock', ref, via: '__must_hold', witness: [], callee: 'foo_lock_group' }],
  };
  const got = inferContract(sum, ['sb'], '', '{\n\treturn 0;\n}');
  assert.deepEqual(got.locks, []);
  assert.deepEqual(got.skipped, ['&bitlock: a name from an annotation, not a lock lockscope has seen taken']);
  // the same requirement on a lock the tree takes with a primitive is written, with the assertion for its kind
  const spin = { ...ref, key: 'foo_lock', display: '&foo_lock', class: 'foo_lock' };
  const known = inferContract(
    { ...sum, requires: [{ ...sum.requires[0], template: 'foo_lock', ref: spin }] },
    ['sb'],
    '',
    '{\n\treturn 0;\n}',
    new Map([['foo_lock', 'spinlock' as const]]),
  );
  assert.deepEqual(known.locks, [{ lock: '&foo_lock', annotation: '__must_hold', assertion: 'lockdep_assert_held' }]);
  // passed up from three calls down: not sure enough to write
  const step = { file: 'f.c', line: 1, column: 1, function: 'x', note: 'calls foo_inner()' };
  const deep = inferContract(
    { ...sum, requires: [{ ...sum.requires[0], template: 'foo_lock', ref: spin, witness: [step, step, step] }] },
    ['sb'],
    '',
    '{\n\treturn 0;\n}',
    new Map([['foo_lock', 'spinlock' as const]]),
  );
  assert.deepEqual(deep.locks, []);
  assert.deepEqual(deep.skipped, ['&foo_lock: needed 3 calls down (through foo_lock_group()): too far to be sure']);
});

/** A function needing a lock only because its callee asserts it: a method, or not, as each test says. */
const TALLY = `
static void tally_bump(struct tally *t)
{
	lockdep_assert_held(&t->lock);
	t->count++;
}

static long tally_ioctl(struct tally *t, unsigned int cmd)
{
	tally_bump(t);
	return 0;
}
`;

test('a method (in an ops table) gets no requirement passed up from a callee; a plain function does', async () => {
  const text = TALLY;
  const r = await analyse(text, 'tally.c');
  const plain = fileContracts(text, inputsOf(r)).find((c) => c.name === 'tally_ioctl');
  assert.deepEqual(plain?.annotations, ['__must_hold(&t->lock)']);
  const inputs = inputsOf(r).map((f) =>
    f.name === 'tally_ioctl' ? { ...f, method: 'file_operations::unlocked_ioctl' } : f,
  );
  const method = fileContracts(text, inputs).find((c) => c.name === 'tally_ioctl');
  assert.deepEqual(method?.annotations, []);
  assert.ok(
    method?.skipped.some((s) => s.includes('a method (file_operations::unlocked_ioctl)')),
    JSON.stringify(method?.skipped),
  );
  // the callee's own statement is its own: still written for it
  const bump = fileContracts(text, inputs).find((c) => c.name === 'tally_bump');
  assert.deepEqual(bump?.annotations, ['__must_hold(&t->lock)']);
});

test('code action: a method the index names gets no requirement passed up; without the index it does', async () => {
  const text = TALLY;
  const r = await analyse(text, 'tally.c');
  const line = text.split('\n').findIndex((l) => l.startsWith('static long tally_ioctl'));
  const titles = (methodOf?: (n: string) => string | undefined) =>
    contractActions('file:///tally.c', r, text, line, [], methodOf).map((a) => a.title);
  assert.ok(
    titles().some((t) => t.includes('__must_hold(&t->lock)')),
    JSON.stringify(titles()),
  );
  const asMethod = titles((n) => (n === 'tally_ioctl' ? 'file_operations::unlocked_ioctl' : undefined));
  assert.deepEqual(asMethod, []);
});
