/**
 * `lockscope/mapSplat`: a kernel splat the client sends (a file the user picked, or an editor's text) mapped onto
 * the indexed tree (splat/), printed as `lockscope splat` prints it but with absolute paths, so the client's
 * output opens each place. The text is data; it is parsed, never run or used to find files.
 */
import * as path from 'node:path';
import type { Finding } from '../engine';
import type { ExternalIndex } from '../incremental';
import type { MapSplatParams, MapSplatResult } from '../protocol';
import { mapSplat, parseSplat, splatJson, splatText } from '../splat';
import type { Workspace } from './workspace';

export class SplatFeature {
  constructor(
    private readonly indexing: { readonly index?: ExternalIndex; readonly findings: readonly Finding[] },
    private readonly workspace: Workspace,
  ) {}

  mapSplat(p: MapSplatParams): MapSplatResult {
    const parsed = parseSplat(p.text);
    if (!parsed.ok) return { error: parsed.message };
    const index = this.indexing.index;
    const root = this.workspace.indexRoot;
    if (!index || !root)
      return { error: 'the kernel tree is not indexed yet: open a kernel tree and wait for the index' };
    const m = mapSplat(index.data, this.indexing.findings, parsed.splat);
    const name = p.name ?? 'splat';
    return {
      text: splatText(m, { input: name, where: (f) => path.join(root, f), warnings: parsed.warnings }),
      json: JSON.parse(splatJson(m, { warnings: parsed.warnings })) as unknown,
      predicted: m.predicted.length,
    };
  }
}
