/**
 * The settings' JSON schemas are generated from the zod schema (server/src/settings-schema.ts, `npm run
 * schemas`): package.json's typed settings and schemas/lockscope.schema.json, registered for .lockscope.json.
 * This fails when either differs from what the generator makes now (issue 15, item 8).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { SETTINGS, parseSettings } from '../../server/src/engine';
import { SCHEMA_FILE, configurationProperties, workspaceFileSchema } from '../../server/src/settings-schema';
import { repoRoot } from '../support/engine';

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as {
  contributes: {
    configuration: { properties: Record<string, Record<string, unknown>> };
    jsonValidation?: { fileMatch: string; url: string }[];
  };
};

type Schema = {
  type?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: string[];
  additionalProperties?: unknown;
};

describe('settings schemas generated from zod', () => {
  test("package.json's settings are what the generator makes (run `npm run schemas` after changing one)", () => {
    assert.deepEqual(pkg.contributes.configuration.properties, configurationProperties());
  });

  test('the .lockscope.json schema is committed as generated and registered with jsonValidation', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(repoRoot(), SCHEMA_FILE), 'utf8')) as unknown;
    assert.deepEqual(committed, workspaceFileSchema());
    assert.deepEqual(pkg.contributes.jsonValidation, [{ fileMatch: '.lockscope.json', url: `./${SCHEMA_FILE}` }]);
    assert.deepEqual(
      Object.keys((committed as Schema).properties ?? {}).sort(),
      Object.keys(SETTINGS).sort(),
      'every setting a tree may set, and not the ones that load code',
    );
  });

  test('extraLocks and forbiddenCalls are typed: their fields, required ones and enums', () => {
    const props = pkg.contributes.configuration.properties as Record<string, Schema>;
    const lock = props['lockscope.extraLocks'].items!;
    assert.equal(lock.type, 'object');
    assert.deepEqual(lock.required, ['name', 'op']);
    assert.ok(lock.properties?.op.enum?.includes('acquire'));
    assert.ok(lock.properties?.kind.enum?.includes('mutex'));
    assert.equal(lock.additionalProperties, false);
    const rule = props['lockscope.forbiddenCalls'].items!;
    assert.deepEqual(rule.required, ['call', 'lock']);
    assert.ok(rule.properties?.reason);
  });

  test('what the schema requires is what parseSettings accepts', () => {
    const ok = { extraLocks: [{ name: 'foo_lock', op: 'acquire', kind: 'mutex', lock: '{arg}->lock' }] };
    assert.deepEqual(parseSettings(ok, 'x').problems, []);
    const missing = { extraLocks: [{ name: 'foo_lock' }] };
    assert.equal(parseSettings(missing, 'x').problems.length, 1, 'op is required in both');
  });
});
