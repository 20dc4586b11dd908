/**
 * The JSON schemas of the settings, generated from the one zod schema (engine/model/config.ts) with
 * zod-to-json-schema: VS Code's `contributes.configuration` (typed, so extraLocks and forbiddenCalls get
 * completion and checking in settings.json) and the schema of `.lockscope.json` (registered with
 * `contributes.jsonValidation`). `npm run schemas` writes both; test/unit/schemas.test.ts fails when the
 * committed ones differ from what this makes. Not bundled: only the script and the test use it.
 */
import { zodToJsonSchema } from 'zod-to-json-schema';
import { SETTINGS, STARTUP_SETTINGS } from './engine/model';

export const SCHEMA_FILE = 'schemas/lockscope.schema.json';

type Json = Record<string, unknown>;

/** One setting's schema: inlined (VS Code reads each property alone, so no $ref), draft-07. */
function settingSchema(key: keyof typeof SETTINGS): Json {
  const s = zodToJsonSchema(SETTINGS[key].schema, { $refStrategy: 'none', target: 'jsonSchema7' }) as Json;
  delete s.$schema;
  return { ...s, description: SETTINGS[key].description };
}

/** package.json's contributes.configuration.properties, every setting under `lockscope.`. */
export function configurationProperties(): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const key of Object.keys(SETTINGS) as (keyof typeof SETTINGS)[]) out[`lockscope.${key}`] = settingSchema(key);
  for (const [key, def] of Object.entries(STARTUP_SETTINGS))
    out[`lockscope.${key}`] = { ...def.json, default: def.default, description: def.description };
  return out;
}

/**
 * The schema of `.lockscope.json`: the settings a tree may set (the ones that load code are not among them:
 * a tree's file never names code to load), flat keys as VS Code spells them, nothing else.
 */
export function workspaceFileSchema(): Json {
  const properties: Record<string, Json> = {};
  for (const key of Object.keys(SETTINGS) as (keyof typeof SETTINGS)[]) {
    properties[key] = settingSchema(key);
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://lockscope.invalid/schemas/lockscope.schema.json',
    title: 'lockscope settings of a kernel tree (.lockscope.json)',
    description:
      'Settings lockscope reads from .lockscope.json in the tree root or the folder checked. Generated from ' +
      'the zod schema by `npm run schemas`; do not edit.',
    type: 'object',
    properties,
    additionalProperties: false,
  };
}
