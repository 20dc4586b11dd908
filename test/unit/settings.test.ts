/**
 * One schema is the source of truth for settings: package.json's contributes.configuration must have
 * exactly its keys, defaults and enums; bad values fall back to defaults with a message.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { SETTINGS, STARTUP_SETTINGS, defaultSettings, parseSettings } from '../../server/src/engine';
import { repoRoot } from '../support/engine';
import { configurationProperties } from '../../server/src/settings-schema';

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8'));
const props: Record<string, { default: unknown; enum?: string[]; type: string; description: string; scope?: string }> =
  pkg.contributes.configuration.properties;

describe('settings schema and package.json', () => {
  test('same keys', () => {
    assert.deepEqual(
      Object.keys(props).sort(),
      [...Object.keys(SETTINGS), ...Object.keys(STARTUP_SETTINGS)].map((k) => `lockscope.${k}`).sort(),
    );
  });
  for (const [key, def] of Object.entries(STARTUP_SETTINGS)) {
    test(
      `lockscope.${key} decides what code is loaded: machine-scoped, ` +
        'restricted in untrusted workspaces, not a tree setting',
      () => {
        const p = props[`lockscope.${key}`];
        assert.equal(p.scope, 'machine', 'a workspace must not be able to set it');
        assert.deepEqual(p.default, def.default);
        assert.equal(p.description, def.description);
        assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(`lockscope.${key}`));
        assert.ok(!(key in SETTINGS));
      },
    );
  }
  for (const [key, def] of Object.entries(SETTINGS)) {
    test(`lockscope.${key}: default, type and enum match`, () => {
      const p = props[`lockscope.${key}`];
      assert.ok(p, `package.json lacks lockscope.${key}`);
      assert.deepEqual(p.default, def.schema.parse(undefined));
      assert.deepEqual(p, configurationProperties()[`lockscope.${key}`], 'generated from the zod schema');
      assert.equal(p.description, def.description);
    });
  }
});

describe('parseSettings', () => {
  test('settings that load code are refused from a settings file, with a message saying where they may be set', () => {
    const { settings, problems } = parseSettings(
      { grammarDirectory: '/tmp/evil', allowUnpinnedGrammar: true, maxFileSizeKB: 10 },
      '.lockscope.json',
    );
    assert.equal(settings.maxFileSizeKB, 10);
    assert.ok(!('grammarDirectory' in settings));
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.ok(
      problems.every((m) => /decides what code lockscope loads/.test(m)),
      problems.join('\n'),
    );
    assert.equal(
      parseSettings({ grammarDirectory: '' }, 'settings').problems.length,
      0,
      'an empty value asks for nothing',
    );
  });
  test('keys inherited from Object.prototype are unknown settings, not accepted ones', () => {
    const raw = JSON.parse('{"constructor": 1, "toString": 2, "__proto__": {"maxFileSizeKB": 1}}') as object;
    const { settings, problems } = parseSettings(raw, 'x');
    assert.equal(settings.maxFileSizeKB, defaultSettings().maxFileSizeKB);
    for (const k of ['constructor', 'toString', '__proto__'])
      assert.ok(
        problems.some((m) => m.includes(`"${k}"`)),
        `${k}: ${problems.join('\n')}`,
      );
  });
  test('invalid values keep their default and are named in a message', () => {
    const { settings, problems } = parseSettings(
      { maxFileSizeKB: 'big', severity: { 'recursive-lock': 'loud' }, loopMacros: ['ok_for_each'] },
      'settings',
    );
    assert.equal(settings.maxFileSizeKB, defaultSettings().maxFileSizeKB);
    assert.deepEqual(settings.severity, defaultSettings().severity);
    assert.deepEqual(settings.loopMacros, ['ok_for_each']);
    assert.equal(problems.length, 2);
    assert.ok(
      problems.some((m) => /"maxFileSizeKB" is invalid/.test(m)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((m) => /"severity" is invalid/.test(m)),
      problems.join('\n'),
    );
  });
  test('an extra lock primitive is validated', () => {
    const good = parseSettings(
      { extraLocks: [{ name: 'foo_lock', op: 'acquire', kind: 'mutex', lock: '{arg}->lock' }] },
      's',
    );
    assert.equal(good.problems.length, 0);
    assert.equal(good.settings.extraLocks[0].name, 'foo_lock');
    const bad = parseSettings({ extraLocks: [{ name: 'foo lock', op: 'grab' }] }, 's');
    assert.equal(bad.settings.extraLocks.length, 0);
    assert.match(bad.problems[0], /extraLocks/);
  });
  test('a task-state scope (nofs, nofault) is a kind of the engine, not one a user lock may take', () => {
    for (const kind of ['nofs', 'nofault']) {
      const r = parseSettings({ extraLocks: [{ name: 'foo_enter', op: 'acquire', kind, lock: '{0}' }] }, 's');
      assert.equal(r.settings.extraLocks.length, 0, kind);
      assert.match(r.problems[0], /extraLocks/);
    }
  });
  test('not an object', () => {
    const r = parseSettings([1, 2], 'x');
    assert.match(r.problems[0], /expected an object/);
  });
});

describe('commands', () => {
  test(
    'every command the client registers (in any of its files) is declared in package.json under the lockscope ' +
      'category, and no other',
    () => {
      const dir = path.join(repoRoot(), 'client', 'src');
      const src = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
        .join('\n');
      const registered = [...src.matchAll(/registerCommand\('([\w.]+)'/g)].map((m) => m[1]).sort();
      const declared: { command: string; category: string }[] = pkg.contributes.commands;
      assert.deepEqual(declared.map((c) => c.command).sort(), registered);
      for (const c of declared) assert.equal(c.category, 'lockscope', c.command);
    },
  );
  test('menus and keybindings name declared commands; the step keys are not VS Code defaults', () => {
    const declared = new Set((pkg.contributes.commands as { command: string }[]).map((c) => c.command));
    const menus = Object.values(pkg.contributes.menus as Record<string, { command: string }[]>).flat();
    const keys = pkg.contributes.keybindings as { command: string; key: string }[];
    for (const m of [...menus, ...keys]) assert.ok(declared.has(m.command), m.command);
    const context = (pkg.contributes.menus['editor/context'] as { command: string }[]).map((m) => m.command);
    assert.deepEqual(context.sort(), ['lockscope.explainFinding', 'lockscope.showCallGraph']);
    // alt+F8 / shift+alt+F8 are VS Code's next/previous problem in the file, F8 / shift+F8 across files
    const taken = ['f8', 'shift+f8', 'alt+f8', 'shift+alt+f8'];
    for (const k of keys) assert.ok(!taken.includes(k.key), `${k.key} is taken by VS Code`);
    assert.deepEqual(keys.map((k) => `${k.command} ${k.key}`).sort(), [
      'lockscope.nextStep ctrl+f8',
      'lockscope.previousStep ctrl+shift+f8',
    ]);
  });
});
