/**
 * One table of finding kinds (server/src/engine/model/findings.ts) is the source of truth: every kind
 * in it has a section in docs/findings.md, a checker that reports it and a fixture that expects it;
 * the `severity` setting's default and SARIF's rules come from it. Messages carry the lines they
 * mention as data and are rendered by one function; the lock-kind properties are data too.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { sarifRules } from '../../server/src/cli/format';
import { CHECKED_KINDS, CHECKERS, fingerprint } from '../../server/src/engine/checks';
import {
  ATOMIC_KINDS,
  FINDING_KINDS,
  FINDING_TABLE,
  LOCK_KINDS,
  LOCK_KIND_NAMES,
  NAME_PATTERNS,
  SETTINGS,
  SLEEPING_KINDS,
  type Finding,
  applySeverity,
  defaultSettings,
  docsRef,
  findingMessage,
  kindNests,
  lockKindInfo,
  primitiveSchema,
  renderMessage,
} from '../../server/src/engine/model';
import { analyse, repoRoot } from '../support/engine';

const docs = fs.readFileSync(path.join(repoRoot(), 'docs', 'findings.md'), 'utf8');

/** GitHub's anchor for a heading: lower case, punctuation other than `-` dropped, spaces to `-`. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

/** Every `expect:` marker's kinds under a folder. */
function expectedKinds(dir: string, out = new Set<string>()): Set<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) expectedKinds(p, out);
    else if (/\.[ch]$/.test(e.name)) {
      for (const m of fs.readFileSync(p, 'utf8').matchAll(/expect:([^*\n]*)/g))
        for (const k of m[1].split(',')) out.add(k.trim());
    }
  }
  return out;
}

describe('the table of finding kinds', () => {
  test("every kind has a `## ` section in docs/findings.md whose anchor is the table's", () => {
    const anchors = new Set([...docs.matchAll(/^## (.+)$/gm)].map((m) => slug(m[1])));
    for (const kind of FINDING_KINDS) {
      assert.ok(
        anchors.has(FINDING_TABLE[kind].anchor),
        `docs/findings.md has no section with anchor #${FINDING_TABLE[kind].anchor} (${kind})`,
      );
      assert.equal(docsRef(kind), `docs/findings.md#${FINDING_TABLE[kind].anchor}`);
    }
  });

  test('every kind is reported by exactly one checker, and expected by some fixture', () => {
    assert.deepEqual([...CHECKED_KINDS].sort(), [...FINDING_KINDS].sort());
    assert.equal(new Set(CHECKED_KINDS).size, CHECKED_KINDS.length, 'two checkers report one kind');
    assert.equal(
      CHECKERS.length + 2,
      FINDING_KINDS.length,
      "one checker per kind, besides the whole-tree lock-order graph's two (inversions, documented orders)",
    );
    const expected = new Set([
      ...expectedKinds(path.join(repoRoot(), 'test', 'fixtures')),
      ...expectedKinds(path.join(repoRoot(), 'examples')),
      // kinds that need a tree (ops tables across files: page-fault handlers, reclaim entries)
      ...expectedKinds(path.join(repoRoot(), 'test', 'trees')),
    ]);
    for (const kind of FINDING_KINDS) assert.ok(expected.has(kind), `no fixture or example expects ${kind}`);
  });

  test('every row has a default severity, a one-line summary and a help text', () => {
    for (const kind of FINDING_KINDS) {
      const k = FINDING_TABLE[kind];
      assert.ok(['error', 'warning', 'information', 'hint'].includes(k.severity), kind);
      assert.ok(k.summary.length > 10 && k.summary.length <= 80 && !k.summary.includes('\n'), `${kind}: summary`);
      assert.ok(k.help.length >= k.summary.length, `${kind}: help`);
    }
  });

  test("the severity setting's default is the kinds that are off by default", () => {
    const off = FINDING_KINDS.filter((k) => 'off' in FINDING_TABLE[k] && FINDING_TABLE[k].off);
    assert.deepEqual(off, ['lock-order-inversion', 'documented-order-violation', 'reclaim-under-lock']);
    assert.deepEqual(defaultSettings().severity, Object.fromEntries(off.map((k) => [k, 'off'])));
    assert.deepEqual(SETTINGS.severity.schema.parse(undefined), {
      'lock-order-inversion': 'off',
      'documented-order-violation': 'off',
      'reclaim-under-lock': 'off',
    });
  });

  test('SARIF rules are the table: one per kind, with help and a docs reference', () => {
    const rules = sarifRules() as {
      id: string;
      shortDescription: { text: string };
      fullDescription: { text: string };
      help: { text: string };
      helpUri: string;
      defaultConfiguration: { enabled: boolean; level: string };
    }[];
    assert.deepEqual(
      rules.map((r) => r.id),
      [...FINDING_KINDS],
    );
    for (const r of rules) {
      const k = FINDING_TABLE[r.id as Finding['kind']];
      assert.equal(r.shortDescription.text, k.summary);
      assert.equal(r.fullDescription.text, k.help);
      assert.ok(r.help.text.startsWith(k.help));
      assert.equal(r.helpUri, `docs/findings.md#${k.anchor}`);
      assert.equal(r.defaultConfiguration.enabled, !('off' in k && k.off));
    }
  });

  test('applySeverity: a kind the setting names takes its severity, "off" drops it', () => {
    const f = { kind: 'double-unlock', severity: 'warning' } as Finding;
    const g = { kind: 'recursive-lock', severity: 'warning' } as Finding;
    assert.deepEqual(applySeverity([f, g], { 'double-unlock': 'error', 'recursive-lock': 'off' }), [
      { ...f, severity: 'error' },
    ]);
    assert.equal(applySeverity([f], {})[0], f, 'unchanged findings are not copied');
  });
});

describe('messages carry the lines they mention', () => {
  test('renderMessage fills line references; a literal brace survives', () => {
    const m = findingMessage`released at ${{ line: 9 }} and in ${{ file: 'fs/x.c', line: 4 }}; ${'(struct s){0}'} {1}`;
    assert.deepEqual(m.refs, [{ line: 9 }, { file: 'fs/x.c', line: 4 }]);
    assert.doesNotMatch(m.template, /\d:|line \d/);
    assert.equal(renderMessage(m), 'released at line 9 and in fs/x.c:4; (struct s){0} {1}');
  });

  test('findings store templates without line numbers, render as before, keep their fingerprints', async () => {
    const text = [
      'void f(struct foo *c)',
      '{',
      '\tmutex_lock(&c->lock);',
      '\tmutex_unlock(&c->lock);',
      '\tmutex_unlock(&c->lock);',
      '}',
      'void g(struct foo *c)',
      '{',
      '\tspin_lock(&c->sl);',
      '\tspin_lock(&c->sl);',
      '}',
    ].join('\n');
    const r = await analyse(text, 'fs/foo/x.c');
    const byKind = new Map(r.findings.map((f) => [f.kind, f]));
    const du = byKind.get('double-unlock');
    const rec = byKind.get('recursive-lock');
    assert.ok(du && rec, r.findings.map((f) => f.kind).join(', '));
    for (const f of r.findings) assert.doesNotMatch(f.template, /\bline \d/, f.template);
    assert.deepEqual(du.refs, [{ line: 4 }]);
    assert.equal(renderMessage(du), 'double unlock: &c->lock was already released at line 4');
    assert.match(renderMessage(rec), /already held since line 9 \(spin_lock\)$/);
    // the fingerprint is the one a baseline written before refs existed holds: lines taken out of the text
    const moved = { ...du, refs: [{ line: 40 }], line: 50 };
    assert.equal(fingerprint(moved), fingerprint(du));
  });
});

describe('lock kinds and name heuristics are catalog data', () => {
  test('sleeping, atomic and nesting kinds', () => {
    assert.deepEqual([...SLEEPING_KINDS].sort(), [
      'buffer',
      'folio',
      'mutex',
      'page',
      'percpu-rwsem',
      'range',
      'rwsem',
    ]);
    assert.deepEqual([...ATOMIC_KINDS].sort(), ['irq', 'preempt', 'rcu', 'rwlock', 'seqlock', 'spinlock']);
    const anyMode = LOCK_KIND_NAMES.filter((k) => lockKindInfo(k).nests === 'any-mode');
    assert.deepEqual(anyMode.sort(), ['irq', 'nofault', 'nofs', 'preempt', 'rcu', 'srcu']);
    assert.ok(kindNests('rwlock', 'shared', 'shared'));
    assert.ok(!kindNests('rwlock', 'excl', 'shared'));
    assert.ok(kindNests('rcu', 'excl', 'excl'));
    assert.equal(lockKindInfo('no-such-kind').sleeps, false);
  });

  test('the settings schema takes the lock kinds from the table (all but the task-state scopes)', () => {
    for (const kind of LOCK_KIND_NAMES)
      assert.equal(
        primitiveSchema.safeParse({ name: 'x_lock', op: 'acquire', kind }).success,
        !(LOCK_KINDS[kind] as { scope?: boolean }).scope,
        kind,
      );
    assert.ok(!primitiveSchema.safeParse({ name: 'x_lock', op: 'acquire', kind: 'semaphore' }).success);
    assert.ok(SETTINGS.forbiddenCalls.schema.safeParse([{ call: 'f', lock: '{0}->l', kind: 'spinlock' }]).success);
  });

  test('name patterns', () => {
    assert.ok(NAME_PATTERNS.bugOnMacro.test('XFS_BUG_ON') && NAME_PATTERNS.assertMacro.test('btrfs_assert'));
    assert.ok(NAME_PATTERNS.mayUnlockCall.test('foo_unlock') && !NAME_PATTERNS.mayUnlockCall.test('foo_release'));
    assert.ok(
      NAME_PATTERNS.accessor.test('file_inode') &&
        NAME_PATTERNS.accessor.test('VFS_I') &&
        !NAME_PATTERNS.accessor.test('kmalloc'),
    );
    assert.ok(NAME_PATTERNS.acquirer.test('btrfs_lock_root') && NAME_PATTERNS.errnoVar.test('ret'));
  });
});

describe('forbidden-call rules name the kind of their lock', () => {
  const fsync = [
    'int f(struct kiocb *iocb)',
    '{',
    '\tstruct inode *inode = file_inode(iocb->ki_filp);',
    '\tspin_lock(&inode->i_lock);',
    '\tmy_sync(iocb);',
    '\tspin_unlock(&inode->i_lock);',
    '\treturn 0;',
    '}',
  ].join('\n');

  test("a rule may name its lock's kind (default rwsem) and is checked as before", async () => {
    const rule = {
      call: 'my_sync',
      lock: 'file_inode({0}->ki_filp)->i_lock',
      kind: 'spinlock' as const,
      reason: 'it sleeps',
    };
    const r = await analyse(fsync, 'fs/foo/y.c', { forbiddenCalls: [rule] });
    const f = r.findings.find((x) => x.kind === 'forbidden-call');
    assert.ok(f, r.findings.map((x) => renderMessage(x)).join('\n'));
    assert.match(renderMessage(f), /^my_sync\(\) is called while &inode->i_lock is held: it sleeps$/);
  });
});
