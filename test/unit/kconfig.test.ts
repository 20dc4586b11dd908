/**
 * The kernel configuration: the .config parser (strict, with messages naming the line), what a symbol's value
 * means to the preprocessor (autoconf.h and kconfig.h), which arm of a conditional is compiled, which files the
 * Kbuild files then leave out, the analysis of a fixture with and without a .config, and the cache key.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { Node } from 'web-tree-sitter';
import {
  ConfigView,
  type KernelConfig,
  defaultSettings,
  isDebugOnly,
  parseKernelConfig,
} from '../../server/src/engine';
import { decideConditional, topLevelDefs } from '../../server/src/engine/syntax';
import { parseKbuild, unbuiltByConfig } from '../../server/src/engine/link';
import { cacheKeyFor } from '../../server/src/tree/build';
import { withKernelConfig } from '../../server/src/tree/kconfig-file';
import { analyse, diffExpectations, expectationsOf, getGrammar, repoRoot } from '../support/engine';

const config = (text: string): KernelConfig => {
  const r = parseKernelConfig(text, 'test.config');
  assert.deepEqual(r.problems, []);
  return r.config!;
};

describe('.config parser', () => {
  test('reads y, m, numbers and strings; "is not set" and =n unset a symbol; comments and blanks pass', () => {
    const c = config(
      [
        '#',
        '# Automatically generated file; DO NOT EDIT.',
        '',
        'CONFIG_EXT4_FS=y',
        'CONFIG_BTRFS_FS=m',
        'CONFIG_HZ=250',
        'CONFIG_PHYSICAL_START=0x1000000',
        'CONFIG_LOCALVERSION="-foo \\"bar\\""',
        '# CONFIG_NTFS_FS is not set',
        'CONFIG_XFS_FS=y',
        'CONFIG_XFS_FS=n',
      ].join('\r\n'),
    );
    assert.deepEqual(c.values, {
      CONFIG_EXT4_FS: 'y',
      CONFIG_BTRFS_FS: 'm',
      CONFIG_HZ: '250',
      CONFIG_PHYSICAL_START: '0x1000000',
      CONFIG_LOCALVERSION: '"-foo \\"bar\\""',
    });
  });

  test('a bad line rejects the whole file, with the line and why', () => {
    const r = parseKernelConfig('CONFIG_A=y\nCONFIG_B=yes please\nB=m\nCONFIG_C="open\n', 'x/.config');
    assert.equal(r.config, undefined);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0], /^x\/\.config: not a kernel \.config/);
    assert.match(r.problems[0], /line 2: the value is not y, m, n/);
    assert.match(r.problems[0], /line 3: expected CONFIG_NAME=value/);
    assert.match(r.problems[0], /line 4: /);
  });

  test('a binary or huge file is refused, not parsed', () => {
    assert.match(parseKernelConfig('CONFIG_A=y\0', 'b').problems[0], /binary/);
    assert.match(parseKernelConfig('#'.repeat(9 * 1024 * 1024), 'h').problems[0], /too large/);
  });

  test('the tree .config, the kconfig setting, and a missing file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockscope-kconfig-'));
    try {
      const s = defaultSettings();
      assert.equal(withKernelConfig(s, dir).settings.kernelConfig, undefined, 'no .config: none');
      fs.writeFileSync(path.join(dir, '.config'), 'CONFIG_A=y\n');
      assert.deepEqual(withKernelConfig(s, dir).settings.kernelConfig?.values, { CONFIG_A: 'y' });
      fs.writeFileSync(path.join(dir, 'other'), 'CONFIG_B=m\n');
      assert.deepEqual(withKernelConfig({ ...s, kconfig: 'other' }, dir).settings.kernelConfig?.values, {
        CONFIG_B: 'm',
      });
      const missing = withKernelConfig({ ...s, kconfig: 'nope' }, dir);
      assert.equal(missing.settings.kernelConfig, undefined);
      assert.match(missing.problems[0], /nope: cannot read the kernel configuration \(no such file\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what a symbol means', () => {
  test('with a .config: =y defines CONFIG_X, =m defines CONFIG_X_MODULE (autoconf.h), absent is unset', () => {
    const v = new ConfigView(config('CONFIG_A=y\nCONFIG_B=m\nCONFIG_N=64\n'));
    assert.equal(v.defined('CONFIG_A'), true);
    assert.equal(v.defined('CONFIG_A_MODULE'), false);
    assert.equal(v.defined('CONFIG_B'), false);
    assert.equal(v.defined('CONFIG_B_MODULE'), true);
    assert.equal(v.defined('CONFIG_N'), true);
    assert.equal(v.defined('CONFIG_ABSENT'), false);
    assert.equal(v.defined('MODULE'), undefined, 'not a CONFIG_ symbol: not decided');
    assert.equal(v.builds('B'), true);
    assert.equal(v.builds('ABSENT'), false);
  });

  test('without one: only the debug-only symbols are decided, as unset', () => {
    const v = new ConfigView();
    for (const s of [
      'CONFIG_DEBUG_KMEMLEAK',
      'CONFIG_DEBUG_LOCK_ALLOC',
      'CONFIG_KASAN',
      'CONFIG_KASAN_GENERIC',
      'CONFIG_KCSAN',
      'CONFIG_KUNIT',
      'CONFIG_EXT4_KUNIT_TESTS',
      'CONFIG_LOCKDEP',
      'CONFIG_PROVE_LOCKING',
    ]) {
      assert.ok(isDebugOnly(s), s);
      assert.equal(v.defined(s), false, s);
    }
    for (const s of ['CONFIG_DEBUG_FS', 'CONFIG_EXT4_FS', 'CONFIG_SMP', 'CONFIG_KASANOVA']) {
      assert.ok(!isDebugOnly(s), s);
      assert.equal(v.defined(s), undefined, s);
    }
    assert.equal(v.builds('DEBUG_KMEMLEAK'), false);
    assert.equal(v.builds('EXT4_FS'), undefined);
  });
});

/** The decision of each conditional of `src` (in source order, `#elif`s included). */
async function decisions(src: string, cfg: ConfigView): Promise<(boolean | undefined)[]> {
  const tree = (await getGrammar()).parser.parse(src)!;
  try {
    const out: (boolean | undefined)[] = [];
    const visit = (n: Node) => {
      if (/^preproc_(if|ifdef|elif|elifdef)$/.test(n.type)) out.push(decideConditional(n, cfg));
      for (const c of n.namedChildren) if (c) visit(c);
    };
    visit(tree.rootNode);
    return out;
  } finally {
    tree.delete();
  }
}

describe('which arm is compiled', () => {
  const cfg = new ConfigView(config('CONFIG_A=y\nCONFIG_B=m\nCONFIG_HZ=250\n'));
  const one = async (cond: string) => (await decisions(`${cond}\nint x;\n#endif\n`, cfg))[0];

  test('#ifdef, #ifndef, defined, IS_ENABLED, IS_BUILTIN, IS_MODULE, IS_REACHABLE (kconfig.h)', async () => {
    assert.equal(await one('#ifdef CONFIG_A'), true);
    assert.equal(await one('#ifdef CONFIG_B'), false, '=m defines CONFIG_B_MODULE, not CONFIG_B');
    assert.equal(await one('#ifdef CONFIG_B_MODULE'), true);
    assert.equal(await one('#ifndef CONFIG_C'), true);
    assert.equal(await one('#if defined(CONFIG_A) && !defined CONFIG_C'), true);
    assert.equal(await one('#if IS_ENABLED(CONFIG_B)'), true);
    assert.equal(await one('#if IS_BUILTIN(CONFIG_B)'), false);
    assert.equal(await one('#if IS_MODULE(CONFIG_B)'), true);
    assert.equal(await one('#if IS_REACHABLE(CONFIG_A)'), true);
    assert.equal(await one('#if IS_REACHABLE(CONFIG_B)'), undefined, 'a module is reachable only from a module');
    assert.equal(await one('#if !IS_ENABLED(CONFIG_C)'), true);
    assert.equal(await one('#if CONFIG_HZ >= 250 && CONFIG_HZ < 1000'), true);
    assert.equal(await one('#if CONFIG_C'), false, 'an undefined identifier is 0');
  });

  test('three values: what the configuration does not say stays undecided unless the other side settles', async () => {
    assert.equal(await one('#ifdef MODULE'), undefined);
    assert.equal(await one('#if defined(MODULE) && defined(CONFIG_C)'), false);
    assert.equal(await one('#if defined(MODULE) || defined(CONFIG_A)'), true);
    assert.equal(await one('#if defined(MODULE) || defined(CONFIG_C)'), undefined);
    assert.equal(await one('#if BITS_PER_LONG == 64'), undefined);
  });

  test('#elif and #elifdef chains are decided arm by arm', async () => {
    const src = '#ifdef CONFIG_C\nint a;\n#elif IS_MODULE(CONFIG_B)\nint b;\n#elifdef CONFIG_A\nint c;\n#endif\n';
    assert.deepEqual(await decisions(src, cfg), [false, true, true]);
  });

  test('a definition in a dead arm is not a definition of the file', async () => {
    const src = [
      '#ifdef CONFIG_C',
      'void f(void) { one(); }',
      '#elif defined(CONFIG_A)',
      'void f(void) { two(); }',
      '#else',
      'void f(void) { three(); }',
      '#endif',
      '#ifdef MODULE',
      'void g(void) { }',
      '#endif',
    ].join('\n');
    const tree = (await getGrammar()).parser.parse(src)!;
    try {
      const bodies = (c?: ConfigView) => topLevelDefs(tree, c).map((d) => d.childForFieldName('body')!.text);
      assert.deepEqual(bodies(cfg), ['{ two(); }', '{ }']);
      assert.equal(bodies().length, 4, 'without a configuration every definition is one');
    } finally {
      tree.delete();
    }
  });
});

describe('files the configuration does not build', () => {
  const dirs = new Map([
    [
      'mm',
      parseKbuild('obj-y := filemap.o\nobj-$(CONFIG_DEBUG_KMEMLEAK) += kmemleak.o\nobj-$(CONFIG_KASAN) += kasan/\n'),
    ],
    ['mm/kasan', parseKbuild('obj-y := common.o report.o\n')],
    ['fs', parseKbuild('obj-$(CONFIG_FOO_FS) += foo/\n')],
    ['fs/foo', parseKbuild('obj-$(CONFIG_FOO_FS) += foo.o\nfoo-y := super.o\nfoo-$(CONFIG_FOO_STATS) += stats.o\n')],
  ]);
  const files = [
    'mm/filemap.c',
    'mm/kmemleak.c',
    'mm/kasan/report.c',
    'mm/kasan/kasan.h',
    'fs/foo/super.c',
    'fs/foo/stats.c',
  ];

  test('without a .config: the debug-only objects and directories', () => {
    const v = new ConfigView();
    const out = unbuiltByConfig(files, dirs, (c) => v.builds(c));
    assert.deepEqual([...out.keys()].sort(), ['mm/kasan/report.c', 'mm/kmemleak.c']);
    assert.match(out.get('mm/kmemleak.c')!, /CONFIG_DEBUG_KMEMLEAK is not set/);
    assert.match(out.get('mm/kasan/report.c')!, /CONFIG_KASAN is not set/);
  });

  test('with one: an object, a part or a directory whose symbol is unset', () => {
    const v = new ConfigView(config('CONFIG_FOO_FS=m\nCONFIG_KASAN=y\n'));
    assert.deepEqual([...unbuiltByConfig(files, dirs, (c) => v.builds(c)).keys()].sort(), [
      'fs/foo/stats.c',
      'mm/kmemleak.c',
    ]);
    const none = new ConfigView(config('CONFIG_KASAN=y\n'));
    assert.deepEqual([...unbuiltByConfig(files, dirs, (c) => none.builds(c)).keys()].sort(), [
      'fs/foo/stats.c',
      'fs/foo/super.c',
      'mm/kmemleak.c',
    ]);
  });
});

describe('analysis with a .config', () => {
  const file = path.join(repoRoot(), 'test', 'fixtures', 'kconfig', 'debug-arms.c');
  const text = fs.readFileSync(file, 'utf8');
  const lines = (r: { findings: { line: number; kind: string }[] }) => r.findings.map((f) => `${f.line}:${f.kind}`);

  test('without one: exactly the inline expectations (debug arms dead, others undecided)', async () => {
    const r = await analyse(text, 'debug-arms.c');
    assert.deepEqual(diffExpectations('debug-arms.c', expectationsOf(text, 'debug-arms.c'), r.findings), []);
  });

  test('a .config setting the debug options brings their arms back; BAR_ASYNC drops the other', async () => {
    const debug = config('CONFIG_DEBUG_KMEMLEAK=y\nCONFIG_LOCKDEP=y\nCONFIG_BAR_KUNIT_TEST=m\n');
    assert.deepEqual(lines(await analyse(text, 'debug-arms.c', { kernelConfig: debug })), [
      '20:recursive-lock',
      '42:recursive-lock',
      '54:recursive-lock',
    ]);
    const async = config('CONFIG_BAR_ASYNC=y\n');
    assert.deepEqual(lines(await analyse(text, 'debug-arms.c', { kernelConfig: async })), []);
  });
});

describe('the cache key', () => {
  const s = defaultSettings();
  const withConfig = (text: string, origin = 'a/.config') => ({
    ...s,
    kernelConfig: parseKernelConfig(text, origin).config!,
  });

  test('a changed .config is a new key; the same one read from another path or setting is the same key', () => {
    const a = cacheKeyFor(withConfig('CONFIG_A=y\n'));
    assert.notEqual(cacheKeyFor(s), a, 'no .config and a .config');
    assert.notEqual(cacheKeyFor(withConfig('CONFIG_A=m\n')), a, 'y and m');
    assert.notEqual(cacheKeyFor(withConfig('CONFIG_A=y\nCONFIG_B=y\n')), a, 'one more symbol');
    assert.equal(cacheKeyFor({ ...withConfig('# a comment\nCONFIG_A=y\n', 'b/other'), kconfig: 'b/other' }), a);
  });
});
